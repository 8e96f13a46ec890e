#!/bin/busybox sh
# /init of the check-kernel guest: the kernel's own file systems, then the
# scenarios (scenarios.sh), then power off. Everything it says for the host
# goes to the console as lines starting "KTEST " (tests/kernel/run.sh reads them).
/bin/busybox --install -s /bin
export PATH=/bin:/usr/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t configfs configfs /sys/kernel/config
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
echo 4 >/proc/sys/kernel/printk 2>/dev/null

. /ktest/scenarios.sh
run_scenarios
echo "KTEST done"
sync
reboot -f
