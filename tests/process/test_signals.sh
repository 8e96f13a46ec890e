#!/usr/bin/env bash
# Signals (issue 13, item 9): SIGHUP or SIGTERM in the first milliseconds
# is handled, not the default death (they are blocked before anything
# else); SIGUSR1, SIGUSR2 and SIGALRM mid-session never kill the daemon
# (SIGUSR1 logs the status line), and a SIGTERM after them still ends the
# session with its summary and removes the socket.
. "$(dirname "$0")/lib.sh"
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}

private_config >"$TMP/c.conf"
python3 - "$CONTRASTD" "$TMP/c.conf" "$TMP" "$CONTRASTCTL" >"$TMP/py" 2>&1 <<'PY'
import os, signal, subprocess, sys, time
daemon, conf, tmp, ctl = sys.argv[1:5]
sock = os.path.join(tmp, "control.sock")

def in_main(pid):
    """contrastd's main() has begun: SIGPIPE is ignored (its first lines, before and after the fix)."""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigIgn:"):
                    return int(line.split()[1], 16) & (1 << (signal.SIGPIPE - 1)) != 0
    except OSError:
        pass
    return False

def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))

# The signal lands as soon as main() has begun: while the config is read and
# the hardware (here the simulated plant) opened, before the loop runs.
for signame in ("SIGTERM", "SIGHUP", "SIGINT"):
    deaths = []
    for i in range(10):
        p = subprocess.Popen([daemon, "-c", conf, "--simulate", "--speed", "20"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 5
        while not in_main(p.pid) and p.poll() is None and time.monotonic() < deadline:
            pass
        p.send_signal(getattr(signal, signame))
        if signame == "SIGHUP":
            # Handled as a reload: the daemon lives on; stop it.
            time.sleep(0.3)
            alive = p.poll() is None
            p.send_signal(signal.SIGTERM)
            rc = p.wait(10)
            if not alive or rc != 0:
                deaths.append(rc)
        else:
            rc = p.wait(10)
            if rc != 0:
                deaths.append(rc)
        p.stderr.close()
    check("%s in the first milliseconds is handled (10 tries)" % signame, not deaths,
          "exit codes %s" % deaths)
check("no socket left behind by the early stops", not os.path.exists(sock))

p = subprocess.Popen([daemon, "-c", conf, "--simulate", "--speed", "20"],
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
for _ in range(50):
    if os.path.exists(sock):
        break
    time.sleep(0.1)
r = subprocess.run([ctl, "-c", conf, "start"], capture_output=True, text=True)
check("a session starts", r.returncode == 0, r.stdout + r.stderr)
for s in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGALRM, signal.SIGUSR1):
    p.send_signal(s)
    time.sleep(0.2)
check("SIGUSR1, SIGUSR2, SIGALRM mid-session: still alive", p.poll() is None, "exit %s" % p.poll())
r = subprocess.run([ctl, "-c", conf, "status"], capture_output=True, text=True)
check("... and still running the session", "running" in r.stdout, r.stdout + r.stderr)
p.send_signal(signal.SIGTERM)
out, err = p.communicate(timeout=10)
check("SIGTERM afterwards: exit 0", p.returncode == 0, "exit %s" % p.returncode)
check("... with the session's summary", '"result":"stopped"' in out, out[-300:])
check("SIGUSR1 logged the status line", "SIGUSR1: warm" in err or "SIGUSR1: cool" in err, err[-500:])
check("SIGUSR2 and SIGALRM logged as ignored", "SIGUSR2 from pid" in err and "SIGALRM from pid" in err, err[-500:])
check("the socket is removed", not os.path.exists(sock))
PY
count_checks "$TMP/py"
finish
