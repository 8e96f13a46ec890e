#!/usr/bin/env bash
# The sensors through the real libiio (local backend) against a sysfs tree
# shaped like the kernel's ti-ads1015 driver, on a tmpfs over /sys/bus in
# a private mount namespace (nothing outside it sees the tree). Then
# contrastd --probe in that namespace: sensor lines with known values, and
# every problem on its own line (no GPIO chips here), exit 2; the time a
# read of every sensor takes at the channels' sampling_frequency against
# the control period, and a control_hz they cannot serve (at 128 SPS). Then
# the ADC checks on that tree: a channel at the driver's default gain
# (+/-2.048 V, below the divider's 3.3 V) refused naming it, and 128 SPS
# warned.
# Skipped (77, the reason on stderr) where this machine cannot make a
# private mount namespace with a tmpfs over /sys/bus (not root, no unshare).
set -u
BUILD=${BUILD:-build}
CONTRASTD=${CONTRASTD:-$BUILD/contrastd}
. tests/hw/build.sh

if ! why=$(unshare -m true 2>&1); then
	echo "skip: unshare -m is not permitted here: $why" >&2
	exit 77
fi
build_iio_sysfs || exit $?

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# The example config, pointed at sensors the fake tree has and one it has not.
sed -e 's|^heatsink_sensor = ads1015/voltage3$|heatsink_sensor = ads1015/voltage7|' \
	config/contrastd.conf >"$TMP/probe.conf"
# Four channels at 128 SPS and 20 reads of all of them a second: too many.
sed -e 's|^; control_hz = 10 .*$|control_hz = 20|' \
	config/contrastd.conf >"$TMP/fast.conf"

# shellcheck disable=SC2016
unshare -m bash -c '
	set -u
	if ! why=$(mount -t tmpfs -o mode=755 none /sys/bus 2>&1); then
		echo "skip: cannot mount a tmpfs on /sys/bus in a private mount namespace: $why" >&2
		exit 77
	fi
	"$1" --build-tree || exit $?
	"$1" local: || exit $?
	[[ -x $2 ]] || { echo "no $2: the probe check needs the daemon built"; exit 1; }
	out=$("$2" -c "$3" --probe 2>&1)
	rc=$?
	echo "$out" | sed "s/^/    probe| /"
	fail=0
	want() {
		if ! grep -Fq -- "$1" <<<"$out"; then echo "FAIL probe: no line with: $1"; fail=1; fi
	}
	[[ $rc -eq 2 ]] || { echo "FAIL probe: exit $rc, wanted 2 (no GPIO chips, a missing channel)"; fail=1; }
	want "left pad: ads1015/voltage0 = 1650.0 mV -> 10.00 kOhm -> 25.00 C"
	want "left heatsink: ads1015/voltage1 = 1650.0 mV -> 10.00 kOhm -> 25.00 C"
	want "right pad: ads1015/voltage2 = 1650.0 mV -> 10.00 kOhm -> 25.00 C"
	want "right heatsink: ads1015/voltage7: IIO device ads1015 (iio:device0) has no input channel '\''voltage7'\''"
	want "left heat: GPIO17:"
	want "power: GPIO16:"
	want "button: GPIO26:"
	want "GPIO: libgpiod "
	nowant() {
		if grep -Fq -- "$1" <<<"$out"; then echo "FAIL probe: a line with: $1"; fail=1; fi
	}
	nowant "warning"
	nowant "full scale"
	want "sensor reads: about 12 ms for all 3 at their data rates: within 80 ms of each 100 ms period (control_hz = 10)"

	# The driver'\''s default rate, 128 SPS, on every input: a read of all of them takes far longer.
	dev=/sys/bus/iio/devices/iio:device0
	for i in 0 1 2 3; do printf "128\n" >$dev/in_voltage${i}_sampling_frequency; done
	out=$("$2" -c "$3" --probe 2>&1)
	want "sensor reads: about 56 ms for all 3 at their data rates: within 80 ms of each 100 ms period (control_hz = 10)"
	out=$("$2" -c "$4" --probe 2>&1)
	rc=$?
	[[ $rc -eq 2 ]] || { echo "FAIL probe at control_hz = 20: exit $rc, wanted 2"; fail=1; }
	want "sensor reads: [daemon] control_hz = 20 needs every sensor read within 40 ms of each 50 ms period, but a read of all 4 takes about 75 ms at their data rates (ads1015/voltage0 at 128 SPS: 18.7 ms a read"
	want "lower control_hz to 10 or less, or raise the ADC'\''s data rate"
	[[ $fail -eq 0 ]] || echo "$out" | sed "s/^/    probe| /"

	# ti-ads1015 as dtoverlay=ads1115 leaves it: without gain (and rate) parameters, here on one input.
	printf "0.062500000\n" >$dev/in_voltage2_scale
	out=$("$2" -c "$3" --probe 2>&1)
	rc=$?
	echo "$out" | grep -E "voltage(0|2)" | sed "s/^/    probe| /"
	[[ $rc -eq 2 ]] || { echo "FAIL adc: exit $rc, wanted 2"; fail=1; }
	want "right pad: ads1015/voltage2 = 825.0 mV: the ADC'\''s full scale is 2048 mV (32767 x 0.0625 mV), below supply_mv = 3300"
	want "set the gain to +/-4.096 V: dtoverlay=ads1115,cha_gain=1"
	want "left pad: ads1015/voltage0: warning: sampling_frequency is 128 SPS, below 475"
	want "left pad: ads1015/voltage0 = 1650.0 mV -> 10.00 kOhm -> 25.00 C"
	# +/-6.144 V reaches 3.3 V too: no refusal.
	printf "0.187500000\n" >$dev/in_voltage2_scale
	out=$("$2" -c "$3" --probe 2>&1)
	nowant "full scale"
	want "right pad: ads1015/voltage2 = 2475.0 mV"
	exit $fail
' _ "$IIO_SYSFS" "$CONTRASTD" "$TMP/probe.conf" "$TMP/fast.conf"
rc=$?
[[ $rc -eq 0 ]] && echo "ok   iio sysfs cases, --probe and the ADC range checks in a private mount namespace"
exit $rc
