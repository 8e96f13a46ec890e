#!/usr/bin/env bash
# The session records under abuse (issue 13, items 3, 4, 8 and 10):
# pruning 20,000 old CSVs never stalls the loop; a torn sessions.jsonl line
# that ends in } is skipped, not passed on; a symlink planted in state_dir
# is never followed and a state_dir others can write to is refused; an
# unwritable state_dir is an error, not "no sessions"; a burst of sessions
# in one second loses no CSV.
. "$(dirname "$0")/lib.sh"
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}

private_config | sed 's|^\[daemon\]$|[daemon]\nkeep_sessions = 30|' >"$TMP/c.conf"
C=("$CONTRASTCTL" -c "$TMP/c.conf")
state=$TMP/state
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT

start_daemon() {
	"$CONTRASTD" -c "${1:-$TMP/c.conf}" --simulate --speed 20 >"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 100); do
		[[ -S $TMP/control.sock ]] && return 0
		kill -0 $pid 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
stop_daemon() {
	kill -TERM $pid 2>/dev/null
	wait $pid 2>/dev/null
	pid=
}

# --- item 3: 20,000 old CSVs, keep_sessions = 30.
mkdir -p "$state/sessions"
chmod 750 "$state" "$state/sessions"
python3 - "$state/sessions" <<'PY'
import os, sys, time
d = sys.argv[1]
t0 = 1600000000
for i in range(20000):
    name = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t0 + 60 * i)) + ".csv"
    open(os.path.join(d, name), "w").close()
open(os.path.join(d, "notes.txt"), "w").close()
PY
start_daemon || { echo "FAIL: the daemon did not start"; cat "$TMP/err"; exit 1; }
python3 - "${C[@]}" >"$TMP/py" 2>&1 <<'PY'
import subprocess, sys, time
ctl = sys.argv[1:]
def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:300]))
t = time.monotonic()
r = subprocess.run(ctl + ["start"], capture_output=True, text=True, timeout=30)
took = time.monotonic() - t
check("start with 20,000 old CSVs answers at once (%.2f s)" % took, r.returncode == 0 and took < 1.0, r.stderr)
worst = 0.0
for _ in range(20):
    t = time.monotonic()
    r = subprocess.run(ctl + ["status"], capture_output=True, text=True, timeout=30)
    worst = max(worst, time.monotonic() - t)
    time.sleep(0.05)
check("status answers at once while the old CSVs go (worst %.3f s)" % worst, worst < 0.5)
PY
count_checks "$TMP/py"
for _ in $(seq 300); do
	n=$(find "$state/sessions" -name '*.csv' | wc -l)
	((n <= 30)) && break
	sleep 0.1
done
expect "pruned to keep_sessions = 30, the new session included" 0 "^30$" -- \
	bash -c "find '$state/sessions' -name '*.csv' | wc -l"
expect "the 29 newest old ones are kept, the new one besides" 0 "^ok$" -- python3 -c '
import os, sys, time
names = sorted(n for n in os.listdir(sys.argv[1]) if n.endswith(".csv"))
want = [time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(1600000000 + 60 * i)) + ".csv" for i in range(19971, 20000)]
print("ok" if names[:29] == want and names[29] > want[-1] else names[:3])' "$state/sessions"
expect "a file that is no session CSV is left alone" 0 "notes.txt" -- ls "$state/sessions"
expect "the removal is logged once, with the count" 0 "removed 19971 old session CSVs" -- cat "$TMP/err"
"${C[@]}" stop >/dev/null
stop_daemon

# --- item 4: a torn line that ends in }.
cp "$state/sessions.jsonl" "$TMP/good.jsonl"
{
	cat "$TMP/good.jsonl"
	printf '{"started":"2026-11-25T23:15:00Z","csv":"sessions/x.csv","result":"compl}\n'
	printf '{"started":"2026-11-25T23:16:00Z","zones":[{"name":"left"},}\n'
	cat "$TMP/good.jsonl"
} >"$state/sessions.jsonl"
start_daemon
expect "log with torn lines that end in }: the whole records, exit 0" 0 "stopped" -- "${C[@]}" log
expect "log --json: two sessions, the torn lines skipped" 0 "^2$" -- bash -c \
	"'${C[0]}' -c '$TMP/c.conf' --json log | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[\"sessions\"]))'"
expect "the skip is logged" 0 "skipped 2 lines that are not one complete record" -- cat "$TMP/err"
stop_daemon

# --- item 8: a symlink planted in state_dir.
echo "precious" >"$TMP/victim"
rm "$state/sessions.jsonl"
ln -s "$TMP/victim" "$state/sessions.jsonl"
start_daemon
"${C[@]}" start >/dev/null
sleep 0.5
"${C[@]}" stop >/dev/null
sleep 0.3
expect "a symlink named sessions.jsonl is not followed" 0 "^precious$" -- cat "$TMP/victim"
expect "... and the log says so" 0 "sessions.jsonl: a symbolic link \(not followed\)" -- cat "$TMP/err"
expect "log refuses it too" 3 "cannot read" -- "${C[@]}" log
stop_daemon
rm "$state/sessions.jsonl"

chmod 777 "$state"
expect "a state_dir writable by every user: exit 1, named" 1 "$state is writable by every user \(mode 0777\)" -- \
	timeout 10 "$CONTRASTD" -c "$TMP/c.conf" --simulate --speed 20
chmod 750 "$state"
chmod 777 "$state/sessions"
start_daemon
"${C[@]}" start >/dev/null
sleep 0.3
"${C[@]}" stop >/dev/null
expect "a sessions/ writable by every user: that session is not recorded in it, said" 0 \
	"sessions is writable by every user" -- cat "$TMP/err"
stop_daemon
chmod 750 "$state/sessions"

# --- item 10: an unwritable state_dir is an error (the daemon as nobody, as root bypasses modes).
if id nobody >/dev/null 2>&1 && command -v setpriv >/dev/null; then
	chmod 755 "$TMP"
	mkdir -p "$TMP/nb/run" "$TMP/nb/state"
	sed -e "s|^state_dir = .*|state_dir = $TMP/nb/state|" -e "s|^socket = .*|socket = $TMP/nb/run/control.sock|" \
		"$TMP/c.conf" >"$TMP/nb/c.conf"
	chmod 644 "$TMP/nb/c.conf"
	chown -R nobody "$TMP/nb/run" "$TMP/nb/state"
	chmod 750 "$TMP/nb/state"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$CONTRASTD" -c "$TMP/nb/c.conf" --simulate --speed 20 \
		>"$TMP/out" 2>"$TMP/err" &
	pid=$!
	for _ in $(seq 50); do [[ -S $TMP/nb/run/control.sock ]] && break; sleep 0.1; done
	chmod 550 "$TMP/nb/state"
	expect "log with state_dir not writable: an error, not 'no sessions recorded yet'" 3 "cannot read" -- \
		"$CONTRASTCTL" -c "$TMP/nb/c.conf" log
	expect "... the daemon's log says why" 0 "nb/state is not writable: Permission denied" -- cat "$TMP/err"
	stop_daemon
	chmod 750 "$TMP/nb/state"
	chmod 555 "$TMP/nb"
	rm -rf "$TMP/nb/state" 2>/dev/null
	chmod 755 "$TMP/nb"
	rm -rf "$TMP/nb/state"
	chmod 555 "$TMP/nb"
	expect "a state_dir that cannot be made: exit 1, named" 1 "nb/state: cannot create it: Permission denied" -- \
		timeout 10 setpriv --reuid=nobody --regid=nogroup --clear-groups "$CONTRASTD" -c "$TMP/nb/c.conf" --simulate --speed 20
	chmod 755 "$TMP/nb"
	chmod 700 "$TMP"
else
	echo "FAIL: the unwritable state_dir needs a user nobody and setpriv (util-linux)"
	failures=$((failures + 1))
fi

# --- item 10: sessions as fast as they go: one CSV each, none lost to a name taken.
# A day allows at most HARD_MAX_SESSIONS_PER_DAY (6) sessions (issue 9's dose
# budgets, docs/safety.md): six in a burst, all in the same second or two, and
# the seventh refused; test_records covers 150 names in one second in process.
sed -e 's/^keep_sessions = 30$/keep_sessions = 1000/' -e 's/^\[safety\]$/[safety]\nsessions_per_day = 6/' \
	"$TMP/c.conf" >"$TMP/burst.conf"
rm -rf "$state/sessions"
rm -f "$state/dose-ledger"      # the sessions above count too: a fresh day for the burst
start_daemon "$TMP/burst.conf"
python3 - "$TMP/control.sock" >"$TMP/py" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rwb")
bad = 0
for i in range(6):
    for cmd in (b"start\n", b"stop\n"):
        f.write(cmd); f.flush()
        if not f.readline().startswith(b'{"ok":true'):
            bad += 1
print(("ok   " if bad == 0 else "FAIL ") + "6 sessions started and stopped (%d refused)" % bad)
f.write(b"start\n"); f.flush()
r = f.readline()
print(("ok   " if b"6 of 6 sessions a day" in r else "FAIL ") + "the seventh is refused: " + r.decode().strip())
PY
count_checks "$TMP/py"
stop_daemon
expect "6 sessions, 6 CSVs" 0 "^6$" -- bash -c "ls '$state/sessions' | grep -c '\.csv$'"
expect "every summary names its own CSV" 0 "^6 6$" -- python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])][-6:]
print(len(lines), len({l["csv"] for l in lines if l["csv"]}))' "$state/sessions.jsonl"
finish
