#!/usr/bin/env bash
# The charge pump on the real hardware adapter: tests/hw/charge_pump.c runs
# hw_real (its edge timerfd in a real event loop) with power_mode =
# charge-pump against fake GPIO lines stamped with CLOCK_MONOTONIC and a
# fake ti-ads1015 sysfs tree, in a private mount namespace with a tmpfs on
# /sys/bus: the wave keeps its 50 Hz schedule, and stops inactive when the
# ticks stop, the supply goes off, the readings fail, on all_off, close and
# --safe-off. Under SCHED_FIFO where the machine allows it, as
# test_read_timing.sh.
# Skipped (77, the reason on stderr) where this machine cannot make a private
# mount namespace with a tmpfs in it (not root, no unshare).
set -u
BUILD=${BUILD:-build}
HARNESS=$BUILD/tests-hw/charge_pump

if ! why=$(unshare -m mount -t tmpfs -o mode=755 none /sys/bus 2>&1); then
	echo "skip: cannot mount a tmpfs on /sys/bus in a private mount namespace (unshare -m): $why" >&2
	exit 77
fi
if [[ ! -x $HARNESS ]]; then
	echo "FAIL: $HARNESS is not built (make check builds it)"
	exit 1
fi
rt=()
if chrt -f 10 true 2>/dev/null; then
	rt=(chrt -f 10)
else
	echo "note: SCHED_FIFO is not permitted here: the timing runs at normal priority"
fi
# shellcheck disable=SC2016
unshare -m bash -c '
	if ! why=$(mount -t tmpfs -o mode=755 none /sys/bus 2>&1); then
		echo "skip: cannot mount a tmpfs on /sys/bus in a private mount namespace: $why" >&2
		exit 77
	fi
	exec "$@"
' _ "${rt[@]}" "$HARNESS"
