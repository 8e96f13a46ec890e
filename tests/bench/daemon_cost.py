#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The daemon at real speed (issue 11, `make bench` part 2).

    daemon_cost.py CONTRASTD CONTRASTCTL SHIM TMPDIR SECONDS

Runs the real binary (--simulate --speed 1: the plant in place of the
hardware, everything else as on the device: the tick timerfd, the control
socket, the session records, sd_notify to a socket this script holds as
systemd would) with the interposed allocation counter (alloc_count.so,
LD_PRELOAD). After READY=1 a session of the shipped program is started
through contrastctl; over SECONDS it measures CPU time per second
(/proc/PID/schedstat), wake-ups per second (voluntary and
involuntary context switches, /proc/PID/status), and at the end private
dirty memory (/proc/PID/smaps_rollup) with its largest parts
(/proc/PID/smaps), then stops the session and the daemon and reads the
count of heap allocations made after READY=1. One JSON line per figure.
"""
import json
import os
import socket
import subprocess
import sys
import time


def emit(figure, value, text, goal="-", **extra):
    print(json.dumps(dict(type="cost", figure=figure, value=value, text=text, goal=goal, **extra)))
    sys.stdout.flush()


def proc_cpu_s(pid):
    """Time on a CPU, to the nanosecond (/proc/PID/schedstat); utime + stime count in 10 ms ticks."""
    try:
        with open(f"/proc/{pid}/schedstat") as f:
            return int(f.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        # utime and stime are fields 14 and 15 (1-based), i.e. 11 and 12 after the ")".
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_switches(pid):
    n = 0
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                n += int(line.split()[1])
    return n


def private_dirty(pid):
    total = 0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Private_Dirty:"):
                total = int(line.split()[1])
    parts = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            head = line.split()
            if head and "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                name = head[5] if len(head) > 5 else "[anonymous]"
                name = os.path.basename(name) if name.startswith("/") else name
            elif line.startswith("Private_Dirty:") and name:
                parts[name] = parts.get(name, 0) + int(line.split()[1])
    return total, sorted(parts.items(), key=lambda kv: -kv[1])


def main():
    daemon, ctl, shim, tmp, seconds = sys.argv[1:6]
    seconds = float(seconds)
    conf = os.path.join(tmp, "c.conf")
    with open("config/contrastd.conf") as f:
        text = f.read()
    lines = [l for l in text.split("\n") if not l.strip().startswith(("socket", "state_dir"))]
    text = "\n".join(lines).replace("[daemon]", "[daemon]\nstate_dir = %s/state\nsocket = %s/control.sock" %
                                    (tmp, tmp), 1)
    with open(conf, "w") as f:
        f.write(text)
    path = os.path.join(tmp, "notify.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    s.settimeout(0.1)
    count_file = os.path.join(tmp, "alloc_count")
    # A binary just built sits in dirty page cache, which smaps counts as the
    # process's private dirty memory until written back: write it back first.
    os.sync()
    env = dict(os.environ, NOTIFY_SOCKET=path, LD_PRELOAD=shim, ALLOC_COUNT_FILE=count_file)
    p = subprocess.Popen([daemon, "-c", conf, "--simulate", "--speed", "1"], env=env,
                         stdout=subprocess.DEVNULL, stderr=open(os.path.join(tmp, "daemon.err"), "w"))
    t0 = time.monotonic()
    ready = False
    while time.monotonic() - t0 < 10 and not ready:
        try:
            ready = b"READY=1" in s.recv(4096)
        except socket.timeout:
            pass
    if not ready:
        p.kill()
        emit("daemon at real speed", None, "no READY=1 within 10 s")
        return
    r = subprocess.run([ctl, "-c", conf, "start"], capture_output=True, text=True)
    if r.returncode != 0:
        p.kill()
        emit("daemon at real speed", None, "start refused: " + r.stdout + r.stderr)
        return
    time.sleep(1.0)
    cpu0, sw0, w0 = proc_cpu_s(p.pid), proc_switches(p.pid), time.monotonic()
    end = w0 + seconds
    while time.monotonic() < end:
        try:
            s.recv(4096)        # keep the notify socket drained, as systemd does
        except socket.timeout:
            pass
    cpu1, sw1, w1 = proc_cpu_s(p.pid), proc_switches(p.pid), time.monotonic()
    dirty_kb, parts = private_dirty(p.pid)
    status = subprocess.run([ctl, "-c", conf, "status"], capture_output=True, text=True).stdout
    subprocess.run([ctl, "-c", conf, "stop"], capture_output=True)
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
    try:
        with open(count_file) as f:
            state, count = f.read().split()
            count = int(count) if state == "ready" else None
    except (OSError, ValueError):
        count = None
    span = w1 - w0
    running = "running" in status
    emit("daemon, %.0f s at real speed, session %s: CPU" % (span, "running" if running else "NOT running"),
         100.0 * (cpu1 - cpu0) / span, "%.3f %% of a core" % (100.0 * (cpu1 - cpu0) / span))
    emit("daemon: wake-ups per second", (sw1 - sw0) / span, "%.1f /s" % ((sw1 - sw0) / span),
         "10 /s at 10 Hz")
    top = ", ".join("%s %d" % kv for kv in parts[:4])
    emit("daemon: private dirty memory, 2 zones (smaps_rollup)", dirty_kb, "%d KiB" % dirty_kb, "< 1024 KiB",
         parts=dict(parts), largest=top)
    emit("daemon: heap allocations after READY=1 (interposed counter)", count,
         "%s" % ("?" if count is None else count), "0")


if __name__ == "__main__":
    main()
