#!/usr/bin/env bash
# systemd/contrastd.service.in, filled the way `make install` fills it, must
# pass `systemd-analyze verify` with no complaint about it, and score at or
# below MAX_EXPOSURE in `systemd-analyze security --offline=yes` (printed).
# systemd/contrastd.sysusers must parse (systemd-sysusers into a temp root).
set -u
cd "$(dirname "$0")/../.." || exit 1
MAX_EXPOSURE=1.5
BUILD=${BUILD:-build}

for tool in systemd-analyze:systemd systemd-sysusers:systemd man:man-db; do
	if ! command -v "${tool%%:*}" >/dev/null 2>&1; then
		echo "FAIL: ${tool%%:*} is not installed (Debian package ${tool#*:}; make deps installs it)"
		exit 1
	fi
done
if [[ ! -x $BUILD/contrastd ]]; then
	echo "FAIL: $BUILD/contrastd is not built (run make first): verify needs ExecStart's binary"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

# @SBINDIR@ is the build directory: verify wants ExecStart's binary to exist.
sbindir=$(realpath "$BUILD")
unit=$tmp/contrastd.service
sed -e "s|@SBINDIR@|$sbindir|g" -e "s|@SYSCONFDIR@|/etc|g" systemd/contrastd.service.in >"$unit"
if grep -n '@[A-Z_]*@' "$unit"; then
	echo "FAIL: placeholders left unfilled in the unit"
	failures=$((failures + 1))
fi

# Documentation=man:... is checked against the man pages in docs/.
mkdir -p "$tmp/man/man1" "$tmp/man/man5" "$tmp/man/man8"
cp docs/contrastctl.1 "$tmp/man/man1/" && cp docs/contrastd.conf.5 "$tmp/man/man5/" &&
	cp docs/contrastd.8 "$tmp/man/man8/" || exit 1
out=$(MANPATH=$tmp/man systemd-analyze verify --man=yes "$unit" 2>&1)
rc=$?
[[ -n $out ]] && echo "$out" | sed 's/^/    verify: /'
if [[ $rc -ne 0 ]]; then
	echo "FAIL: systemd-analyze verify exited $rc"
	failures=$((failures + 1))
elif grep -q 'contrastd' <<<"$out"; then
	echo "FAIL: systemd-analyze verify complains about the unit"
	failures=$((failures + 1))
else
	echo "ok   systemd-analyze verify --man=yes"
fi

out=$(systemd-analyze security --offline=yes "$unit" 2>&1)
rc=$?
exposure=$(sed -n 's/.*Overall exposure level for contrastd.service: \([0-9.]*\).*/\1/p' <<<"$out")
if [[ -z $exposure ]]; then
	echo "$out" | tail -n 20 | sed 's/^/    /'
	echo "FAIL: no exposure figure from systemd-analyze security (exit $rc)"
	failures=$((failures + 1))
else
	# What is left open, and why it must be: the ✗ lines.
	grep '✗' <<<"$out" | sed 's/  */ /g; s/^/    /'
	echo "exposure: $exposure (at most $MAX_EXPOSURE)"
	if awk -v e="$exposure" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(e > m) }'; then
		echo "FAIL: exposure $exposure is above $MAX_EXPOSURE"
		failures=$((failures + 1))
	else
		echo "ok   systemd-analyze security --offline=yes"
	fi
fi

# Where make install puts it, inside an empty root.
mkdir -p "$tmp/root/etc" "$tmp/root/usr/lib/sysusers.d"
cp systemd/contrastd.sysusers "$tmp/root/usr/lib/sysusers.d/contrastd.conf"
if ! out=$(systemd-sysusers --root="$tmp/root" 2>&1); then
	echo "$out" | sed 's/^/    /'
	echo "FAIL: systemd-sysusers rejects systemd/contrastd.sysusers"
	failures=$((failures + 1))
elif ! grep -q '^contrastd:x:[0-9]*:[0-9]*:contrastd therapy daemon:/var/lib/contrastd:' "$tmp/root/etc/passwd" ||
	! grep -Eq '^gpio:x:[0-9]+:(.*,)?contrastd(,|$)' "$tmp/root/etc/group"; then
	echo "FAIL: systemd-sysusers did not make user contrastd in group gpio"
	cat "$tmp/root/etc/passwd" "$tmp/root/etc/group" | sed 's/^/    /'
	failures=$((failures + 1))
else
	echo "ok   systemd-sysusers: user contrastd, member of gpio"
fi

((failures == 0))
