#!/usr/bin/env bash
# A control loop that stalls stops the watchdog: the real daemon under a
# harness that plays systemd (NOTIFY_SOCKET, WatchdogSec=1s), with
# --inject loop-stall@3 at --speed 1, which blocks the loop for 5 real
# seconds. No WATCHDOG=1 may arrive while it is stuck (systemd would kill
# and restart it); a session running at the time ends as loop-overrun.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh

if ! command -v python3 >/dev/null 2>&1; then
	echo "FAIL: python3 plays systemd's notify socket: not installed (Debian package python3; make deps installs it)"
	exit 1
fi
private_config >"$TMP/c.conf"

python3 - "$CONTRASTD" "$TMP" >"$TMP/py" 2>&1 <<'PY'
import os, signal, socket, subprocess, sys, time
daemon, tmp = sys.argv[1], sys.argv[2]
path = os.path.join(tmp, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.1)
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
env.pop("WATCHDOG_PID", None)
p = subprocess.Popen([daemon, "-c", tmp + "/c.conf", "--simulate", "--speed", "1",
                      "--inject", "loop-stall@3", "--start"], env=env,
                     stdout=open(tmp + "/out", "w"), stderr=open(tmp + "/err", "w"))
t0 = time.monotonic()
msgs = []
while time.monotonic() - t0 < 10.0 and p.poll() is None:
    try:
        for m in s.recv(4096).decode().split("\n"):
            msgs.append((time.monotonic() - t0, m))
    except socket.timeout:
        pass
if p.poll() is None:
    p.send_signal(signal.SIGTERM)
rc = p.wait(timeout=10)

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

wd = [round(t, 2) for t, m in msgs if m == "WATCHDOG=1"]
before = [t for t in wd if t < 2.9]
stuck = [t for t in wd if 3.3 <= t < 7.8]
check("WATCHDOG=1 while the loop runs (%d before the stall)" % len(before), len(before) >= 3, str(wd))
check("no WATCHDOG=1 while the loop is stuck", not stuck, str(stuck))
out = open(tmp + "/out").read()
check("the session ends as loop-overrun", '"kind":"loop-overrun"' in out, out[-300:])
check("exit 3 (a safety fault)", rc == 3, str(rc))
PY
count_checks "$TMP/py"
finish
