#!/usr/bin/env bash
# No heap allocation after READY=1 (issue 11): the real daemon (--simulate
# at a watchable speed, socket and records on, keep_sessions = 2 so every
# start prunes) under a harness that plays systemd's notify socket, with
# an interposed malloc counter (tests/bench/alloc_count.c, LD_PRELOAD).
# After READY=1: sessions started and stopped (each start pruning), one
# run to completion (its summary line written), status, programs and log
# between them, a reload (SIGHUP) while idle and one while a session runs,
# then a session ended by an injected fault, a start
# refused while it is latched, and SIGTERM. The counter must read 0.
# Skipped without python3 or a C compiler.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
BUILD=${BUILD:-build}
require_built "$CONTRASTD" "$CONTRASTCTL"

for tool in python3 cc; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "skip: $tool is needed"
		exit 77
	fi
done
SHIM=$TMP/alloc_count.so
if ! cc -shared -fPIC -O2 -Wall -Wextra -Werror -Wmissing-prototypes -o "$SHIM" tests/bench/alloc_count.c -ldl; then
	echo "FAIL: building the allocation counter"
	exit 1
fi
# Five sessions in a row: more than the default sessions_per_day (3), within the ceiling (6).
private_config | sed -e "s|^\[daemon\]|[daemon]\nkeep_sessions = 2|" -e "s|^\[safety\]|[safety]\nsessions_per_day = 6|" >"$TMP/c.conf"
# Old CSVs for the first start to prune.
mkdir -p "$TMP/state/sessions"
for s in 20200101T000000Z 20200101T000001Z 20200101T000002Z; do
	echo "t_s" >"$TMP/state/sessions/$s.csv"
done

python3 - "$CONTRASTD" "$CONTRASTCTL" "$TMP" "$SHIM" >"$TMP/py" 2>&1 <<'PY'
import os, signal, socket, subprocess, sys, time
daemon, ctl, tmp, shim = sys.argv[1:5]
path = os.path.join(tmp, "notify.sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(0.1)
count_file = os.path.join(tmp, "count")
env = dict(os.environ, NOTIFY_SOCKET=path, LD_PRELOAD=shim, ALLOC_COUNT_FILE=count_file,
           ALLOC_TRACE="1")
p = subprocess.Popen([daemon, "-c", tmp + "/c.conf", "--simulate", "--speed", "50",
                      "--inject", "sensor-open@500"], env=env,
                     stdout=subprocess.DEVNULL, stderr=open(tmp + "/err", "w"))
def ok(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
def ctl_run(*args):
    return subprocess.run([ctl, "-c", tmp + "/c.conf"] + list(args), capture_output=True, text=True)
def status():
    return ctl_run("status").stdout
def count():
    try:
        return open(count_file).read().split() or ["empty", "-1"]
    except OSError:
        return ["missing", "-1"]
def wait_for(pred, secs):
    t0 = time.monotonic()
    while time.monotonic() - t0 < secs:
        if pred():
            return True
        time.sleep(0.1)
    return False
t0 = time.monotonic()
ready = False
while time.monotonic() - t0 < 10 and not ready:
    try:
        ready = b"READY=1" in s.recv(4096)
    except socket.timeout:
        pass
ok(ready, "READY=1 within 10 s")
# The shim writes its file just after sd_notify returns: give it a moment.
ok(wait_for(lambda: count()[0] == "ready", 5), "the counter saw READY=1")
for i in range(3):
    r = ctl_run("start", "short")
    ok(r.returncode == 0, f"session {i + 1} started")
    time.sleep(0.5)
    ctl_run("status"); ctl_run("programs"); ctl_run("log")
    ok(ctl_run("stop").returncode == 0, f"session {i + 1} stopped")
# A reload (SIGHUP) while idle, and one while a session runs (applied when it ends).
p.send_signal(signal.SIGHUP)
ok(wait_for(lambda: "new configuration in force" in open(tmp + "/err").read(), 5), "SIGHUP while idle: reloaded")
ok(ctl_run("start", "short").returncode == 0, "a session to run to completion")
p.send_signal(signal.SIGHUP)
ok(wait_for(lambda: "completed" in status(), 30), "it completed")
ok(open(tmp + "/err").read().count("new configuration in force") == 2, "the reload made while it ran applied when it ended")
ctl_run("log", "5")
# The injected open sensor comes at 500 s of simulated time (10 s here).
ctl_run("start")
ok(wait_for(lambda: "fault" in status(), 30), "a fault latched (sensor-open injected)")
csvs = [f for f in os.listdir(tmp + "/state/sessions") if f.endswith(".csv")]
ok(len(csvs) == 2, f"pruned to keep_sessions = 2 ({len(csvs)} CSVs)")
ok(ctl_run("start").returncode == 3, "start refused while the fault is latched")
time.sleep(0.2)
print("count before SIGTERM:", " ".join(count()))
p.terminate()
try:
    p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
c = count()
ok(c[0] == "ready" and c[1] == "0", f"no heap allocation after READY=1 (counted {c[1]})")
PY
count_checks "$TMP/py"
if grep -q '^FAIL' "$TMP/py"; then
	echo "    daemon stderr (the allocations' backtraces):"
	grep -A14 'alloc_count:' "$TMP/err" | head -60 | sed 's/^/    /'
fi
finish
