#!/usr/bin/env bash
# make check-kernel: contrastd on a real Linux kernel under QEMU (TCG, no
# KVM needed), built twice, against libgpiod 1 (the machine's) and 2
# (tests/kernel/libgpiod2.sh). The kernel (build-kernel.sh) has gpio-sim,
# the IIO core, ti-ads1015 and i2c-stub; the guest runs scenarios.sh and
# powers off. Prints one line per scenario and flavour, and closes with
#   check-kernel: N passed, N failed
# A guest that does not finish within KTEST_TIMEOUT_S (default 300) fails.
set -u
BUILD=${BUILD:-build}
GPIOD2_BUILD=${GPIOD2_BUILD:-$BUILD/gpiod2}
TIMEOUT_S=${KTEST_TIMEOUT_S:-300}
GUEST=$BUILD/kernel-guest
passed=0 failed=0

ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
finish() {
	echo "check-kernel: $passed passed, $failed failed"
	((failed == 0))
	exit
}

start=$(date +%s)
if ! kernel=$(bash tests/kernel/build-kernel.sh "$BUILD/kernel"); then
	bad "the test kernel did not build"
	finish
fi
echo "kernel: $kernel ($(cat "$kernel/linux-source-version"), $(stat -c %s "$kernel/bzImage") bytes)"

mkdir -p "$GUEST"
# The guest's instruments: static, so they need nothing from the initramfs.
if ! cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -Isrc -Itests -static \
	tests/kernel/ktool.c tests/hw/ads1015_tree.c src/sim/sim_plant.c src/core/thermistor.c \
	-lm -o "$GUEST/ktool"; then
	bad "ktool did not build"
	finish
fi

# The v2 adapter's unit tests (built by the Makefile with the daemon against libgpiod 2).
for t in "$GPIOD2_BUILD/tests/test_gpio_mock_v2" "$GPIOD2_BUILD/tests-san/test_gpio_mock_v2"; do
	if out=$("$t" 2>&1); then
		ok "libgpiod 2: $t ($(grep -c '^\[       OK \]' <<<"$out") tests)"
	else
		echo "$out" | grep -v '^<' | tail -n 20
		bad "libgpiod 2: $t"
	fi
done

# copy_with_libs ROOT BINARY DEST: the binary and every shared library ldd names.
copy_with_libs() {
	local root=$1 bin=$2 dest=$3 lib
	install -D -m 0755 "$bin" "$root$dest"
	for lib in $(ldd "$bin" | awk '/=> \// { print $3 } /^\t\/[^ ]*ld-linux/ { print $1 }'); do
		[[ -e $root$lib ]] || install -D -m 0755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# initramfs NAME DAEMON_BUILD: the guest's root as a newc cpio in $GUEST/NAME.cpio.
initramfs() {
	local name=$1 from=$2 root=$GUEST/$1.root
	rm -rf "$root"
	mkdir -p "$root"/{bin,dev,proc,sys,tmp,run,etc,ktest,lib/modules}
	cp /bin/busybox "$root/bin/busybox"
	install -m 0755 tests/kernel/init.sh "$root/init"
	cp tests/kernel/scenarios.sh "$root/ktest/"
	cp "$GUEST/ktool" "$root/bin/ktool"
	cp "$kernel/i2c-stub.ko" "$root/lib/modules/"
	copy_with_libs "$root" "$from/contrastd" /usr/sbin/contrastd
	copy_with_libs "$root" "$from/contrastctl" /usr/bin/contrastctl
	(cd "$root" && find . | cpio -o -H newc --quiet) >"$GUEST/$name.cpio"
}

for flavour in "gpiod1:$BUILD" "gpiod2:$GPIOD2_BUILD"; do
	name=${flavour%%:*} from=${flavour#*:}
	if ! initramfs "$name" "$from"; then
		bad "$name: the initramfs did not build"
		continue
	fi
	log=$GUEST/$name.log
	t0=$(date +%s)
	# no_timer_check: under TCG on a busy host the IO-APIC timer check can
	# miss its ticks and panic the boot ("IO-APIC + timer doesn't work").
	timeout -k 5 "$TIMEOUT_S" qemu-system-x86_64 -accel tcg -m 512 -smp 1 -nodefaults -no-reboot \
		-display none -monitor none -serial "file:$log" \
		-kernel "$kernel/bzImage" -initrd "$GUEST/$name.cpio" \
		-append "console=ttyS0 panic=-1 loglevel=4 no_timer_check" </dev/null
	qrc=$?
	took=$(($(date +%s) - t0))
	tr -d '\r' <"$log" >"$log.txt"
	lib=$(sed -n 's/^KTEST flavour //p' "$log.txt" | head -n 1)
	lib=${lib:-$name}
	while IFS= read -r line; do
		case $line in
		"KTEST ok "*) ok "$lib: (${line#KTEST ok })" ;;
		"KTEST FAIL "*) bad "$lib: (${line#KTEST FAIL })" ;;
		esac
	done < <(grep -E '^KTEST (ok|FAIL) ' "$log.txt" | sed -E 's/^(KTEST (ok|FAIL)) ([0-9]+) /\1 \3) /')
	if ! grep -q '^KTEST done' "$log.txt"; then
		bad "$lib: the guest did not finish (qemu exit $qrc after $took s; timeout ${TIMEOUT_S} s); its console:"
		tail -n 40 "$log.txt" | sed 's/^/    /'
	elif grep -q '^KTEST FAIL' "$log.txt"; then
		grep '^KTEST info' "$log.txt" | sed 's/^KTEST info /    /' | tail -n 80
	fi
	echo "     $lib: the guest ran $took s (console: $log.txt)"
done
echo "check-kernel: took $(($(date +%s) - start)) s"
finish
