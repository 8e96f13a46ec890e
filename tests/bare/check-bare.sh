#!/usr/bin/env bash
# make check-bare SUITE=bookworm|trixie
#
# The README's two commands, `make demo` and `make check`, in a fresh clone
# of this repository's HEAD inside a minimal Debian root: only a bare root
# shows what the Makefile's package list forgot (the machine a developer
# works on has it all already). Nothing may skip there either.
#
#  - The root: `debootstrap --variant=minbase SUITE`, made once and kept
#    under $BUILD/bare/SUITE/root (keyed by suite, architecture and mirror:
#    a different key makes it again). Every run works on a fresh overlay
#    of it, so one run's installs never hide the next run's gaps. The
#    downloaded packages and apt's lists are kept beside it (a cache, as
#    on any Debian machine), so a warm run does not download them again.
#  - The run: a private mount namespace (nothing is visible outside it and
#    everything goes with it); the root mounted on itself (so `unshare -m`
#    works inside, as the process tests need), /proc, /sys and /dev; the
#    host's resolv.conf, as apt needs the mirror; then in a chroot, as
#    root, what a person on a bare Debian does: install make (git cloned
#    it here already), `make demo`, `make check`.
#  - Passes when both commands exit 0 and `make check` ends
#    "check: N passed, 0 failed, 0 skipped".
#
# Needs root, debootstrap (installed when missing) and the network to the
# Debian mirror ($MIRROR).
set -euo pipefail

SUITE=${1:-${SUITE:-}}
BUILD=${BUILD:-build}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
ARCH=$(dpkg --print-architecture 2>/dev/null || uname -m)

case $SUITE in
bookworm | trixie) ;;
*)
	echo "check-bare: give SUITE=bookworm or SUITE=trixie" >&2
	exit 1
	;;
esac
if [[ $(id -u) -ne 0 ]]; then
	echo "check-bare: needs root (debootstrap, mounts, chroot)" >&2
	exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
	echo "check-bare: installing debootstrap"
	apt-get -o Acquire::Retries=5 update -qq &&
		DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=5 install -y -qq debootstrap >/dev/null
fi

top=$(git rev-parse --show-toplevel)
head=$(git -C "$top" rev-parse HEAD)
dir=$(realpath -m "$BUILD/bare/$SUITE")
root=$dir/root
key="suite=$SUITE arch=$ARCH mirror=$MIRROR variant=minbase"
start_s=$(date +%s)

# --- The root, made once --------------------------------------------------------
if [[ ! -f $root/.contrastd-bare-key || $(cat "$root/.contrastd-bare-key") != "$key" ]]; then
	echo "check-bare: debootstrap --variant=minbase $SUITE ($MIRROR) into $root"
	rm -rf "$root" "$root.new"
	mkdir -p "$dir"
	# A mirror that drops a connection now and then must not fail CI: three tries, a pause between.
	for try in 1 2 3; do
		rm -rf "$root.new"
		if debootstrap --variant=minbase --arch="$ARCH" "$SUITE" "$root.new" "$MIRROR" >"$dir/debootstrap.log" 2>&1; then
			break
		fi
		tail -n 30 "$dir/debootstrap.log" | sed 's/^/    /'
		if [[ $try -eq 3 ]]; then
			echo "check-bare: debootstrap failed three times (log: $dir/debootstrap.log)"
			exit 1
		fi
		echo "check-bare: debootstrap failed (try $try of 3); again in 20 s"
		sleep 20
	done
	echo "$key" >"$root.new/.contrastd-bare-key"
	mv "$root.new" "$root"
	echo "check-bare: root made in $(($(date +%s) - start_s)) s"
else
	echo "check-bare: cached root $root ($key)"
fi

# --- A fresh overlay of it, the clone, the caches ------------------------------
run=$dir/run
rm -rf "$run"
mkdir -p "$run/upper" "$run/work" "$run/merged" "$dir/apt-archives/partial" "$dir/apt-lists/partial"
log=$dir/run.log
: >"$log"

# The clone goes into the overlay's upper layer: it appears in the root as /root/contrastd.
mkdir -p -m 0700 "$run/upper/root"
git clone -q --no-checkout "$top" "$run/upper/root/contrastd"
git -C "$run/upper/root/contrastd" fetch -q origin "$head" 2>/dev/null || true
git -C "$run/upper/root/contrastd" checkout -q --detach "$head"
echo "check-bare: $SUITE: a fresh clone of $(git -C "$top" log -1 --format='%h %s' "$head" | cut -c1-70)"

# What a person types on a bare Debian, after cloning: make first, then the README.
# shellcheck disable=SC2016
inside='
set -u
export DEBIAN_FRONTEND=noninteractive
cd /root/contrastd
echo "== apt-get install make"
apt-get -o Acquire::Retries=5 update -qq && apt-get -o Acquire::Retries=5 install -y -qq make >/dev/null || exit 10
echo "== make demo"
make demo || exit 11
echo "== make check"
make check || exit 12
'

set +e
# shellcheck disable=SC2016
unshare -m --propagation private bash -c '
	set -eu
	lower=$1 run=$2 dir=$3 inside=$4
	m=$run/merged
	mount -t overlay overlay -o "lowerdir=$lower,upperdir=$run/upper,workdir=$run/work" "$m"
	mount --bind "$m" "$m"          # the root is a mount point: unshare -m works inside
	mount -t proc proc "$m/proc"
	mount --rbind /sys "$m/sys"
	mount --make-rslave "$m/sys"
	mount --rbind /dev "$m/dev"
	mount --make-rslave "$m/dev"
	mount --bind "$dir/apt-archives" "$m/var/cache/apt/archives"
	mount --bind "$dir/apt-lists" "$m/var/lib/apt/lists"
	cp -L /etc/resolv.conf "$m/etc/resolv.conf"
	set +e
	chroot "$m" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/bash -c "$inside"
' _ "$root" "$run" "$dir" "$inside" >"$log" 2>&1
rc=$?
set -e
took_s=$(($(date +%s) - start_s))

summary=$(grep -E '^check: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1 || true)
demo=$(sed -n '/^== make demo$/,/^== make check$/p' "$log" | grep -E '^\{"result"' | tail -n 1 || true)
if [[ $rc -eq 0 && $summary =~ ,\ 0\ failed,\ 0\ skipped$ ]]; then
	echo "check-bare: $SUITE: make demo: ${demo:0:100}"
	echo "check-bare: $SUITE: make check: $summary"
	echo "check-bare: $SUITE: passed in $took_s s (log: $log)"
	rm -rf "$run"            # the overlay's upper layer: the build and the installed packages
	exit 0
fi
echo "check-bare: $SUITE: the last lines of $log:"
tail -n 60 "$log" | sed 's/^/    /'
grep -E '^(FAIL|--- FAIL|--- SKIP|skip:)' "$log" | sed 's/^/    /' | head -n 40 || true
case $rc in
10) why="apt-get install make failed" ;;
11) why="make demo failed" ;;
12) why="make check failed" ;;
0) why="make check skipped tests (${summary:-no summary line})" ;;
*) why="the run failed (exit $rc)" ;;
esac
echo "check-bare: $SUITE: FAILED: $why, after $took_s s"
exit 1
