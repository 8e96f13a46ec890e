#!/usr/bin/env bash
# The sensors through libiio's network backend: iiod serving the fake
# ti-ads1015 tree (see test_iio_sysfs.sh) and contrastd's sensor code as
# the client on ip:127.0.0.1. iiod binds every interface and has no option
# against it, so both run in a private network namespace where only lo
# exists (unshare -m -n). iiod is killed with SIGKILL however this ends
# (its Avahi thread makes SIGTERM take ~55 s); the last case kills it on
# purpose between two reads: every sensor must fail, in one go.
# Skipped (77, the reason on stderr) where this machine cannot make private
# mount and network namespaces (not root, no unshare); iiod and ip are
# packages `make deps` installs, so without them it fails.
set -u
BUILD=${BUILD:-build}
. tests/hw/build.sh

IIOD=$(command -v iiod || echo /usr/sbin/iiod)
IP=$(command -v ip || echo /usr/sbin/ip)
if [[ ! -x $IIOD ]]; then
	echo "FAIL: iiod is not installed (Debian package iiod; make deps installs it)"
	exit 1
fi
if [[ ! -x $IP ]]; then
	echo "FAIL: ip is not installed (Debian package iproute2; make deps installs it)"
	exit 1
fi
if ! why=$(unshare -m -n true 2>&1); then
	echo "skip: unshare -m -n is not permitted here: $why" >&2
	exit 77
fi
build_iio_sysfs || exit $?

LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

# shellcheck disable=SC2016
unshare -m -n bash -c '
	set -u
	iiod_pid=
	cleanup() { [[ -n $iiod_pid ]] && kill -KILL "$iiod_pid" 2>/dev/null; }
	trap cleanup EXIT
	trap "exit 1" INT TERM
	if ! why=$("$3" link set lo up 2>&1); then
		echo "skip: cannot bring lo up in a private network namespace: $why" >&2
		exit 77
	fi
	if ! why=$(mount -t tmpfs -o mode=755 none /sys/bus 2>&1); then
		echo "skip: cannot mount a tmpfs on /sys/bus in a private mount namespace: $why" >&2
		exit 77
	fi
	"$1" --build-tree || exit $?
	"$2" -p 30431 >"$4" 2>&1 &
	iiod_pid=$!
	disown "$iiod_pid"      # no "Killed" job notice when it is killed on purpose
	for ((i = 0; i < 500; i++)); do
		(exec 3<>/dev/tcp/127.0.0.1/30431) 2>/dev/null && break
		kill -0 "$iiod_pid" 2>/dev/null || { echo "iiod exited:"; cat "$4"; exit 1; }
		sleep 0.01
	done
	"$1" ip:127.0.0.1 || exit $?
	"$1" --conn-loss ip:127.0.0.1 "$iiod_pid" || exit $?
' _ "$IIO_SYSFS" "$IIOD" "$IP" "$LOG"
rc=$?
if [[ $rc -eq 0 ]]; then
	echo "ok   iio cases through iiod on ip:127.0.0.1 in a private network namespace"
elif [[ $rc -ne 77 ]]; then
	echo "iiod log:"
	sed 's/^/    /' "$LOG"
fi
exit $rc
