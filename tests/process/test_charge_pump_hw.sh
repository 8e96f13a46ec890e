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
. "$(dirname "$0")/lib.sh"
BUILD=${BUILD:-build}

run_on_private_sys_bus "$BUILD/tests-hw/charge_pump"
