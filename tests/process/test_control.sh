#!/usr/bin/env bash
# The control socket of the real daemon (--simulate, no --start: it stays up
# idle) with contrastctl and with raw clients: round trips, refusals, bad
# input (garbage, an unknown command, an overlong line, a silent client, too
# many clients) while the control loop keeps its pace, the session records,
# and SIGTERM mid-session.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}

require_built "$CONTRASTD" "$CONTRASTCTL"
SPEED=20
sock=$TMP/control.sock
state=$TMP/state
# The example config, with the socket and the records in the temp directory.
sed -e '/^[[:space:]]*\(socket\|state_dir\)[[:space:]]*[=:]/d' \
	-e "s|^\[daemon\]|[daemon]\nstate_dir = $state\nsocket = $sock|" config/contrastd.conf >"$TMP/c.conf"
C=("$CONTRASTCTL" -c "$TMP/c.conf")

"$CONTRASTD" -c "$TMP/c.conf" --simulate --speed "$SPEED" >"$TMP/out" 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$sock" "$TMP/err"
checks=$((checks + 1))
if [[ $(stat -c %a "$sock") == 660 ]]; then
	echo "ok   socket mode 0660"
else
	echo "FAIL socket mode $(stat -c %a "$sock"), wanted 660"
	failures=$((failures + 1))
fi

expect "status, idle" 0 '^state: +idle' -- "${C[@]}" status
expect "status shows each zone" 0 '^left .* C' -- "${C[@]}" status
expect "programs" 0 '^default \*' -- "${C[@]}" programs
expect "programs: one honest length" 0 '^default \*.* 10 phases, about 30:00 \(at most 1:20:00 if the pads are slow to settle\)$' -- \
	"${C[@]}" programs
expect "programs NAME: the timeline, phase by phase" 0 '^ +10 +cool +5 +20\.0 C +2:00 +settled +30:00 +1:20:00$' -- \
	"${C[@]}" programs default
expect "programs NAME: the nominal end" 0 '^ends: 30:00 after the start if the pads settle at once$' -- \
	"${C[@]}" programs default
expect "programs NAME: the worst-case end" 0 '^ +1:20:00 at the latest' -- "${C[@]}" programs default
expect "programs NAME --json: the timeline" 0 '"timeline":\[\{"phase":1,"kind":"warm","cycle":1,"setpoint_c":39(\.0+)?,"length_s":240(\.0)?,"nominal_end_s":240(\.0)?,"worst_end_s":540(\.0)?\}' -- \
	"${C[@]}" --json programs default
expect "programs with a misspelt name: did you mean" 3 "no program named 'shrot' \(did you mean 'short'\? programs: default, short\)" -- \
	"${C[@]}" programs shrot
expect "start with a misspelt name: did you mean" 3 "no program named 'defualt' \(did you mean 'default'\?" -- \
	"${C[@]}" start defualt
expect "programs --json" 0 '^\{"ok":true,"programs":\[\{"name":"default","default":true' -- "${C[@]}" --json programs
expect "stop with no session: nothing to do, exit 0" 0 '^nothing to do: no session is running$' -- "${C[@]}" stop
expect "ack with no fault: nothing to do, exit 0" 0 '^nothing to do: no fault to acknowledge$' -- "${C[@]}" ack
expect "start an unknown program" 3 "refused: no program named 'nope'" -- "${C[@]}" start nope
expect "log, nothing yet" 0 'no sessions recorded yet' -- "${C[@]}" log
expect "start" 0 '^started: program default' -- "${C[@]}" start
expect "start again" 3 'refused: a session is running already' -- "${C[@]}" start
expect "--json refusal, printed unchanged" 3 '^\{"ok":false,"error":"a session is running already"\}' -- \
	"${C[@]}" --json start
expect "status, running" 0 '^phase: +warm, cycle 1 of' -- "${C[@]}" status
expect "status --json" 0 '^\{"ok":true,"status":\{"state":"running","program":"default"' -- "${C[@]}" --json status

# Bad clients, while the session runs: the session clock must keep its pace.
if command -v python3 >/dev/null 2>&1; then
	python3 - "$sock" "$SPEED" "${C[@]}" >"$TMP/py" 2>&1 <<'PY'
import json, socket, subprocess, sys, time
path, speed, ctl = sys.argv[1], float(sys.argv[2]), sys.argv[3:]

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(path)
    return s

def line(s):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace").strip()

def eof(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True

def session_s():
    s = conn(); s.sendall(b"status\n"); r = json.loads(line(s)); s.close()
    return r["status"]["session_s"]

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

t0, s0 = time.monotonic(), session_s()
idle = conn()                                   # says nothing at all
idle.settimeout(20)
idle_t0 = time.monotonic()

s = conn()
s.sendall(b"\x00\x01\xfe garbage\n"); r = line(s)
check("garbage: an error reply", r.startswith('{"ok":false,"error":"not a command'), r)
s.sendall(b"reboot now\n"); r = line(s)
check("unknown command: an error reply", r.startswith('{"ok":false,"error":"unknown command \'reboot\''), r)
s.sendall(b"status\r\n"); r = line(s)
check("the same connection still works", r.startswith('{"ok":true,"status":'), r)
s.sendall(b"x" * 600); r = line(s)
check("overlong line: an error reply", "line too long" in r, r)
check("overlong line: then closed", eof(s))
s.close()

crowd = [conn() for _ in range(15)]             # with `idle`, 16: the limit
time.sleep(0.3)
# `idle` had a reply last: crowd[0] is now the one idle the longest.
idle.sendall(b"status\n"); r = line(idle)
idle_t0 = time.monotonic()
extra = conn(); extra.sendall(b"status\n"); r = line(extra)
check("a 17th client gets in", r.startswith('{"ok":true'), r)
r = line(crowd[0])
check("... the one idle the longest is told and closed", "closed to make room" in r and eof(crowd[0]), r)
extra.close()
for c in crowd[1:4]:
    c.sendall(b"status\n")
check("the others are served", all(line(c).startswith('{"ok":true') for c in crowd[1:4]))
for c in crowd:
    c.close()
time.sleep(0.3)
t = time.monotonic()
r = subprocess.run(ctl + ["status"], capture_output=True, text=True)
check("contrastctl answers at once afterwards", r.returncode == 0 and time.monotonic() - t < 1.0,
      r.stderr)

r = line(idle)
waited = time.monotonic() - idle_t0
check("a silent client is closed after 10 s (%.1f s)" % waited,
      "idle" in r and eof(idle) and 9.5 <= waited <= 13.0, r)
s1 = session_s()
rate = (s1 - s0) / (time.monotonic() - t0)
check("the session clock kept its pace: %.1f simulated s per s (speed %g)" % (rate, speed),
      abs(rate - speed) <= 0.15 * speed)
PY
	while IFS= read -r l; do
		echo "$l"
		checks=$((checks + 1))
		[[ $l == FAIL* ]] && failures=$((failures + 1))
	done <"$TMP/py"
else
	echo "FAIL python3 is not installed (Debian package python3; make deps installs it): no raw-client checks"
	checks=$((checks + 1))
	failures=$((failures + 1))
fi

# A button-like event in between would go to the CSV; here: SIGTERM mid-session.
kill -TERM "$pid"
wait "$pid"
rc=$?
checks=$((checks + 1))
if [[ $rc -eq 0 ]]; then echo "ok   SIGTERM mid-session: exit 0"; else
	echo "FAIL SIGTERM mid-session: exit $rc"; failures=$((failures + 1)); fi
checks=$((checks + 1))
if [[ ! -e $sock ]]; then echo "ok   the socket file is removed at exit"; else
	echo "FAIL the socket file is still there"; failures=$((failures + 1)); fi

csv=$(ls "$state"/sessions/*.csv 2>/dev/null | head -n 1)
expect "a CSV for the session" 0 '^t_s,phase,cycle,left_setpoint_c,left_pad_c,left_pad2_c,left_heatsink_c,left_duty,right_setpoint_c' -- head -n 1 "$csv"
expect "its first row: the start" 0 '^0\.00,warm,1,.*,start default uid [0-9]+ pid [0-9]+$' -- sed -n 2p "$csv"
expect "its last row: stopped by SIGTERM" 0 ',end stopped SIGTERM$' -- tail -n 1 "$csv"
rows=$(grep -c ',$' "$csv")
session=$(sed -n 's/.*"duration_s":\([0-9.]*\).*/\1/p' "$state/sessions.jsonl")
checks=$((checks + 1))
if awk -v r="$rows" -v s="$session" 'BEGIN { exit !(r >= s - 2 && r <= s + 1) }'; then
	echo "ok   one row per second ($rows rows, $session s)"
else
	echo "FAIL $rows per-second rows for a $session s session"
	failures=$((failures + 1))
fi
expect "the summary line" 0 '^\{"started":"[0-9-]+T[0-9:]+Z","csv":"sessions/[0-9]{8}T[0-9]{6}Z\.csv","result":"stopped","program":"default"' -- cat "$state/sessions.jsonl"
expect "the log names who stopped it" 0 'session stopped \(SIGTERM\)' -- cat "$TMP/err"
expect "the log names who started it" 0 'uid [0-9]+ pid [0-9]+: start$' -- cat "$TMP/err"

# The log survives the daemon: a new one lists it.
"$CONTRASTD" -c "$TMP/c.conf" --simulate --speed "$SPEED" >/dev/null 2>>"$TMP/err" &
pid=$!
wait_for_socket "$sock" "$TMP/err"
expect "log after a restart" 0 'default +stopped' -- "${C[@]}" log
expect "log --json" 0 '^\{"ok":true,"sessions":\[\{"started":' -- "${C[@]}" --json log 5
kill -TERM "$pid"
wait "$pid"

finish
