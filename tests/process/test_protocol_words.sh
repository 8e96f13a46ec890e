#!/usr/bin/env bash
# One protocol, one set of words: a bad command or argument typed on
# contrastctl's command line (refused before anything is sent, exit 1) and
# the same line sent raw to a running contrastd (an error reply) are
# refused with the same reason, word for word. Needs python3 (a raw
# client; in the Makefile's package list).
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"
if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: python3 is not installed (make deps installs it)"
	exit 1
fi
private_config >"$TMP/c.conf"
sock=$TMP/control.sock

"$CONTRASTD" -c "$TMP/c.conf" --simulate --speed 20 >/dev/null 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$sock" "$TMP/err"

python3 - "$sock" "$CONTRASTCTL" "$TMP/c.conf" >"$TMP/py" 2>&1 <<'PY'
import json, socket, subprocess, sys
path, ctl, conf = sys.argv[1], sys.argv[2], sys.argv[3]

# Each: contrastctl's arguments (after --, so "-3" is not an option); the daemon gets
# them joined by a blank.
cases = [
    ["reboot"], ["STATUS"], ["status", "now"], ["stop", "1", "2"], ["ack", "x"],
    ["programs", "a", "b"], ["programs", "a;b"], ["start", "a", "b"], ["start", "a;b"], ["start", '"quoted"'],
    ["start", "abcdefghijklmnopqrstuvwxyz012345"],
    ["start", "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnop"],
    ["log", "0"], ["log", "101"], ["log", "-3"], ["log", "5x"], ["log", "+5"], ["log", "1", "2"],
]

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(5)
s.connect(path)
buf = b""

def ask(line):
    global buf
    s.sendall(line.encode() + b"\n")
    while b"\n" not in buf:
        chunk = s.recv(65536)
        if not chunk:
            raise SystemExit("FAIL the daemon closed the connection")
        buf += chunk
    reply, buf = buf.split(b"\n", 1)
    return json.loads(reply)

for argv in cases:
    line = " ".join(argv)
    r = subprocess.run([ctl, "-c", conf, "--"] + argv, capture_output=True, text=True)
    first = r.stderr.splitlines()[0] if r.stderr else ""
    ctl_why = first[len("contrastctl: "):] if first.startswith("contrastctl: ") else None
    reply = ask(line)
    daemon_why = reply.get("error") if reply.get("ok") is False else None
    if r.returncode != 1 or ctl_why is None:
        print("FAIL %r: contrastctl exit %d, stderr %r" % (line, r.returncode, r.stderr[:200]))
    elif daemon_why is None:
        print("FAIL %r: the daemon took it: %r" % (line, reply))
    elif ctl_why != daemon_why:
        print("FAIL %r: contrastctl says %r, the daemon %r" % (line, ctl_why, daemon_why))
    else:
        print("ok   %r: both say %r" % (line, ctl_why))

# And what is good for one is good for the other, at the limits.
for argv, key in ([["log", "1"], "sessions"], [["log", "100"], "sessions"],
                  [["start", "abcdefghijklmnopqrstuvwxyz01234"], None], [["programs"], "programs"]):
    line = " ".join(argv)
    reply = ask(line)
    ok = (reply.get("ok") is True and key in reply) if key else \
        reply.get("error", "").startswith("no program named 'abcdefghijklmnopqrstuvwxyz01234' (programs: ")
    r = subprocess.run([ctl, "-c", conf, "--"] + argv, capture_output=True, text=True)
    ctl_ok = r.returncode == 0 if key else (r.returncode == 3 and "no program named" in r.stderr)
    if ok and ctl_ok:
        print("ok   %r: taken by both" % line)
    else:
        print("FAIL %r: daemon %r, contrastctl exit %d %r" % (line, reply, r.returncode, r.stderr[:200]))
PY
count_checks "$TMP/py"
kill -TERM "$pid"
wait "$pid"
finish
