#!/usr/bin/env bash
# Sensor reads never stall the loop: tests/hw/read_timing.c runs the real
# hw_real (PWM timerfd, button fd, reader thread, libiio) in a real event
# loop against a fake ti-ads1015 sysfs tree whose raw values block 17 ms a
# read (FIFOs), in a private mount namespace with a tmpfs on /sys/bus.
# PWM edges and button presses must keep within 2 ms of their schedule,
# a late pass must be a failed read, and a control run with the reads in
# the loop must show late edges (so the measurement can fail).
#
# The harness runs under SCHED_FIFO where the machine allows it: the 2 ms
# are about contrastd's design, not about how busy the other processes on
# a shared build machine keep the scheduler.
# Skipped (77, the reason on stderr) where this machine cannot make a private
# mount namespace with a tmpfs in it (not root, no unshare).
set -u
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}
log=$TMP/harness.log

run_on_private_sys_bus "$BUILD/tests-hw/read_timing" 2>"$log"
rc=$?
if [[ $rc -eq 77 ]]; then
	grep '^skip: ' "$log" >&2
	exit 77
fi
fail=0
[[ $rc -eq 0 ]] || fail=1
# What the daemon would log: the dropped pass and the sensors that failed for it.
if ! grep -q 'sensors: a read of every sensor took [0-9]* ms, and was not complete at its tick (asked for [0-9]* ms before it, in a 100 ms control period): its samples were dropped' "$log"; then
	echo "FAIL late: no log line about the dropped pass"
	fail=1
fi
if ! grep -q 'sensor ads1015/voltage0: not read in time: the read asked for [0-9]* ms ago is not complete' "$log"; then
	echo "FAIL late: no log line about the sensors not read in time"
	fail=1
fi
if ((fail)); then
	sed 's/^/    log| /' "$log" | tail -n 30
else
	echo "ok   late: the dropped pass and the sensors not read in time are logged"
fi
exit $fail
