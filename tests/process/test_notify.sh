#!/usr/bin/env bash
# The real daemon under a harness that plays systemd: a NOTIFY_SOCKET
# datagram socket and WATCHDOG_USEC. READY=1 comes first, STATUS= says what
# the daemon does, WATCHDOG=1 comes at half the watchdog interval while the
# loop runs on time and the sensors answer, and stops when they do not
# (--inject iio-error: every read fails), so systemd would kill and restart
# it; STOPPING=1 on SIGTERM.
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
# WatchdogSec=1s: WATCHDOG=1 is due every 0.5 s. Reads fail from 3 s on.
env = dict(os.environ, NOTIFY_SOCKET=path, WATCHDOG_USEC="1000000")
env.pop("WATCHDOG_PID", None)
p = subprocess.Popen([daemon, "-c", tmp + "/c.conf", "--simulate", "--speed", "1",
                      "--inject", "iio-error@3"], env=env,
                     stdout=subprocess.DEVNULL, stderr=open(tmp + "/err", "w"))
t0 = time.monotonic()
msgs = []
def drain(until):
    while time.monotonic() - t0 < until:
        try:
            for m in s.recv(4096).decode().split("\n"):
                msgs.append((time.monotonic() - t0, m))
        except socket.timeout:
            pass
drain(6.0)
p.send_signal(signal.SIGTERM)
drain(7.0)
rc = p.wait(timeout=5)

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

names = [m for _, m in msgs]
check("READY=1 first", bool(names) and names[0] == "READY=1", str(names[:3]))
check("STATUS= says idle", any(m.startswith("STATUS=idle") for m in names), str(names[:5]))
wd = [t for t, m in msgs if m == "WATCHDOG=1"]
healthy = [t for t in wd if 0.2 <= t < 2.8]
check("WATCHDOG=1 every 0.5 s while healthy (%d in 2.6 s)" % len(healthy), 4 <= len(healthy) <= 7,
      str(wd))
late = [t for t in wd if t >= 3.6]
check("no WATCHDOG=1 once the sensors fail", not late, str(late))
failed = [m for t, m in msgs if t >= 2.9 and m.startswith("STATUS=")]
check("STATUS= shows the missing readings", any("--.- C" in m for m in failed), str(failed))
check("STOPPING=1 on SIGTERM", "STOPPING=1" in names, str(names[-3:]))
check("exit 0 after SIGTERM", rc == 0, str(rc))
PY
count_checks "$TMP/py"
finish
