#!/usr/bin/env bash
# The Raspberry Pi warnings, with /sys/module a tmpfs in a private mount
# namespace saying what the kernel's module parameters would say:
#  - persist_gpio_outputs = Y (pinctrl-bcm2835, the RP1 driver): --probe and
#    the start warn that released lines keep driving, and say how to fix it
#    (dtparam=strict_gpiod); N, or no such parameter: no warning;
#  - a CHIP:OFFSET line on a chip that is not a Raspberry Pi pin controller:
#    the start and --probe warn and name the line's name (the start and the
#    chip's label through tests/hw/rpi_warnings.c and a fake GPIO chip).
# Warnings never make --probe fail: they are counted beside the problems.
# Skipped (77, the reason on stderr) where this machine cannot make a private
# mount namespace with a tmpfs in it (not root, no unshare).
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
BUILD=${BUILD:-build}
HARNESS=$BUILD/tests-hw/rpi_warnings

if ! why=$(unshare -m mount -t tmpfs -o mode=755 none /sys/module 2>&1); then
	echo "skip: cannot mount a tmpfs on /sys/module in a private mount namespace (unshare -m): $why" >&2
	exit 77
fi
[[ -x $HARNESS ]] || { echo "FAIL: $HARNESS is not built (make check builds it)"; exit 1; }

# in_ns BCM RP1 COMMAND...: COMMAND where /sys/module holds only
# pinctrl_bcm2835's and pinctrl_rp1's persist_gpio_outputs, each Y, N or - (absent).
in_ns() {
	# shellcheck disable=SC2016
	unshare -m bash -c '
		if ! why=$(mount -t tmpfs -o mode=755 none /sys/module 2>&1); then
			echo "skip: cannot mount a tmpfs on /sys/module in a private mount namespace: $why" >&2
			exit 77
		fi
		for m in "pinctrl_bcm2835:$1" "pinctrl_rp1:$2"; do
			[[ ${m#*:} == - ]] && continue
			mkdir -p "/sys/module/${m%%:*}/parameters"
			echo "${m#*:}" >"/sys/module/${m%%:*}/parameters/persist_gpio_outputs"
		done
		shift 2
		exec "$@"
	' _ "$@"
}

# expect_not NAME PATTERN -- COMMAND...: the output must not match.
expect_not() {
	local name=$1 pattern=$2 out
	shift 3
	out=$("$@" 2>&1)
	checks=$((checks + 1))
	if grep -Eq -- "$pattern" <<<"$out"; then
		echo "FAIL $name: the output matches /$pattern/"
		grep -E -- "$pattern" <<<"$out" | sed 's/^/    /'
		failures=$((failures + 1))
	else
		echo "ok   $name"
	fi
}

conf=config/contrastd.conf
persist='warning: GPIO: pinctrl_bcm2835 keeps a released line.s output \(persist_gpio_outputs = Y\): after a crash or a SIGKILL, and always for a daemon started by hand, heat, enable and the power relay stay as they were until something drives them off; add dtparam=strict_gpiod to /boot/firmware/config.txt and reboot'

expect "--probe: persist_gpio_outputs = Y warns, with the fix" 2 "$persist" -- in_ns Y - "$CONTRASTD" -c $conf --probe
expect "--probe: the warning is counted, not a problem" 2 '^probe: [0-9]+ problems, 1 warning$' -- \
	in_ns Y - "$CONTRASTD" -c $conf --probe
expect_not "--probe: persist_gpio_outputs = N: no warning" 'warning|strict_gpiod' -- in_ns N N "$CONTRASTD" -c $conf --probe
expect_not "--probe: no such parameter (not a Pi): no warning" 'warning|strict_gpiod' -- in_ns - - "$CONTRASTD" -c $conf --probe
expect "--probe: the RP1 driver (Pi 5) too" 2 'warning: GPIO: pinctrl_rp1 keeps a released line' -- \
	in_ns N Y "$CONTRASTD" -c $conf --probe
expect "--probe: both, named together" 2 'warning: GPIO: pinctrl_bcm2835, pinctrl_rp1 keep a released line' -- \
	in_ns Y Y "$CONTRASTD" -c $conf --probe
expect "--probe: a 1 reads as Y" 2 'warning: GPIO: pinctrl_bcm2835 keeps' -- in_ns 1 - "$CONTRASTD" -c $conf --probe

# The start, and the chip labels, through the fake chip.
expect "start: persist_gpio_outputs = Y is in the log" 0 "^<4>GPIO: pinctrl_bcm2835 keeps a released line.s output.*strict_gpiod" -- \
	in_ns Y - "$HARNESS" pinctrl-bcm2711
offset='right fan: gpiochip0:6 gives the line by chip number and offset, and gpiochip0 is "gpio-brcmstb@107d508500", not a Raspberry Pi pin controller \(pinctrl-bcm2835, pinctrl-bcm2711, pinctrl-rp1\): chip numbers differ between models and kernels; give the line by its name, GPIO6'
expect "start: CHIP:OFFSET on a gpio-brcmstb chip (a Pi 5 before the renumbering)" 0 "^<4>$offset\$" -- \
	in_ns - - "$HARNESS" gpio-brcmstb@107d508500
expect "--probe: the same, as a warning line" 0 "^warning: $offset\$" -- in_ns - - "$HARNESS" gpio-brcmstb@107d508500
expect "--probe: counted" 0 '^probe: [0-9]+ problems, 1 warning$' -- in_ns - - "$HARNESS" gpio-brcmstb@107d508500
expect_not "lines given by name are not warned about" 'GPIO(5|16|17|22|23|24|25|26|27) gives the line' -- \
	in_ns - - "$HARNESS" gpio-brcmstb@107d508500
for label in pinctrl-bcm2835 pinctrl-bcm2711 pinctrl-rp1; do
	expect_not "CHIP:OFFSET on $label: no warning" 'gives the line by chip number' -- in_ns - - "$HARNESS" $label
done
expect "an unlabelled chip says so" 0 'gpiochip0 is a chip without a label, not a Raspberry Pi pin controller' -- \
	in_ns - - "$HARNESS" ""
finish
