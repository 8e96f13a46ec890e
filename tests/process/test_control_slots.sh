#!/usr/bin/env bash
# The control socket under abuse (issue 13, items 5 and 6): sixteen idle
# clients cannot lock anyone out (the one idle the longest makes room, so
# contrastctl always gets through), and a client that reads gets every
# reply to any number of pipelined commands, however large.
. "$(dirname "$0")/lib.sh"
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}

private_config >"$TMP/c.conf"
mkdir -p "$TMP/state"
chmod 750 "$TMP/state"
# 100 finished sessions, about 900 bytes each: `log 100` fills a reply.
python3 - "$TMP/state/sessions.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(100):
        zones = [{"name": "zone%d" % z, "max_pad_c": 39.1, "min_pad_c": 19.9, "time_in_band_pct": 91.5,
                  "max_heatsink_c": 31.2} for z in range(6)]
        f.write(json.dumps({"started": "2026-11-%02dT23:15:00Z" % (1 + i % 28), "csv": "sessions/x%d.csv" % i,
                            "result": "completed", "program": "default", "duration_s": 2400,
                            "cycles_done": 5, "zones": zones, "fault": None}, separators=(",", ":")) + "\n")
PY
$CONTRASTD -c "$TMP/c.conf" --simulate --speed 20 >"$TMP/out" 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do
	[[ -S $TMP/control.sock ]] && break
	sleep 0.1
done

python3 - "$TMP/control.sock" "$CONTRASTCTL" -c "$TMP/c.conf" >"$TMP/py" 2>&1 <<'PY'
import json, socket, subprocess, sys, time
path, ctl = sys.argv[1], sys.argv[2:]

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + str(detail)[:300]))

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s

class Reader:
    def __init__(self, s):
        self.s, self.buf = s, b""
    def line(self):
        while b"\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                return None
            self.buf += chunk
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode()

# Item 5: sixteen silent clients hold every slot.
crowd = [conn() for _ in range(16)]
time.sleep(0.5)
r = subprocess.run(ctl + ["stop"], capture_output=True, text=True, timeout=10)
check("16 idle clients: contrastctl stop still gets its answer",
      r.returncode == 0 and "no session is running" in r.stdout + r.stderr, (r.returncode, r.stdout, r.stderr))
r = subprocess.run(ctl + ["status"], capture_output=True, text=True, timeout=10)
check("... and contrastctl status too", r.returncode == 0 and "idle" in r.stdout, (r.returncode, r.stderr))
told = 0
for c in crowd:
    c.settimeout(0.5)
    try:
        if b"closed to make room" in c.recv(4096):
            told += 1
    except OSError:
        pass
    c.close()
check("the client idle the longest was told why it was closed (%d)" % told, told == 1)

# Item 6: pipelined commands from a client that reads.
s = conn(); rd = Reader(s)
s.sendall(b"log 100\nlog 100\n")
replies = [rd.line(), rd.line()]
ok = all(l is not None and json.loads(l)["ok"] and len(json.loads(l)["sessions"]) >= 50 for l in replies)
check("log 100 twice in one write: both replies, whole", ok, [len(l or "") for l in replies])
check("... of %d and %d bytes" % tuple(len(l or "") for l in replies), ok and all(len(l) > 40000 for l in replies))
s.close()

s = conn(); rd = Reader(s)
s.sendall(b"status\n" * 300)
replies = [rd.line() for _ in range(300)]
check("300 status lines in one write: 300 replies",
      all(l is not None and l.startswith('{"ok":true,"status":') for l in replies))
s.sendall(b"programs\nlog 100\nprograms\nlog 100\nstatus\n")
replies = [rd.line() for _ in range(5)]
check("then a mix, in order", [json.loads(l)["ok"] and list(json.loads(l))[1] for l in replies] ==
      ["programs", "sessions", "programs", "sessions", "status"], [l[:40] for l in replies if l])
s.close()

# A slow reader: it reads its replies a little at a time, and gets them all.
s = conn()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.sendall(b"log 100\n" * 6)
got, buf = 0, b""
t0 = time.monotonic()
while got < 6 and time.monotonic() - t0 < 20:
    time.sleep(0.01)
    chunk = s.recv(8192)
    if not chunk:
        break
    buf += chunk
    got = buf.count(b"\n")
check("a slow reader of 6 big replies gets all 6", got == 6, got)
s.close()
r = subprocess.run(ctl + ["status"], capture_output=True, text=True, timeout=10)
check("contrastctl answers afterwards", r.returncode == 0, r.stderr)
PY
count_checks "$TMP/py"
kill -TERM $pid
wait $pid
expect "the daemon exits 0 on SIGTERM" 0 "" -- true
finish
