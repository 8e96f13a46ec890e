#!/usr/bin/env bash
# contrastd --check-config, and the daemon itself, refuse a config the
# safety claim does not cover (docs/safety.md): issue 9's counterexamples
# as a person would write them, with FILE:LINE at the key and why. The
# same file with the limits moved inside is valid.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
require_built "$CONTRASTD"

base=$TMP/base.conf
private_config >"$base"
# edit FILE SED...: the private config through sed.
edit() {
	local f=$1
	shift
	sed "$@" "$base" >"$f"
}

# max_pad_c = 43, warm_c = 41, sensor_lag_s = 0.
edit "$TMP/lag0.conf" -e 's/^; max_pad_c = 42$/max_pad_c = 43/' -e 's/^; sensor_lag_s = 2 .*$/sensor_lag_s = 0/' \
	-e 's/^warm_c = 39$/warm_c = 41/'
line=$(grep -n '^max_pad_c = 43$' "$TMP/lag0.conf" | cut -d: -f1)
expect "sensor_lag_s 0, max_pad_c 43: --check-config refuses at max_pad_c's line" 1 \
	"^contrastd: $TMP/lag0.conf:$line: max_pad_c = 43 is above 39.44 C, the most this config keeps the pad under 43 C" -- \
	"$CONTRASTD" -c "$TMP/lag0.conf" --check-config
expect "... and so does --simulate, before anything runs" 1 "$TMP/lag0.conf:$line: max_pad_c = 43 is above 39.44 C" -- \
	"$CONTRASTD" -c "$TMP/lag0.conf" --simulate --speed 0 --start
# sensor_lag_s = 0 alone: the default max_pad_c is too wide, named at sensor_lag_s.
edit "$TMP/lag0b.conf" -e 's/^; sensor_lag_s = 2 .*$/sensor_lag_s = 0/'
line=$(grep -n '^sensor_lag_s = 0$' "$TMP/lag0b.conf" | cut -d: -f1)
expect "sensor_lag_s 0 alone: named at its line, the default max_pad_c said too wide" 1 \
	"$TMP/lag0b.conf:$line: max_pad_c = 42 is above 39.44 C.*max_pad_c is not set and its default is too wide here: set it in \\[safety\\]" -- \
	"$CONTRASTD" -c "$TMP/lag0b.conf" --check-config
# Moved inside the limits in force (39.44 C), with both programs 2 C inside: valid, and a session completes.
edit "$TMP/lag0ok.conf" -e 's/^; max_pad_c = 42$/max_pad_c = 39.4/' -e 's/^; sensor_lag_s = 2 .*$/sensor_lag_s = 0/' \
	-e 's/^warm_c = 3[89]$/warm_c = 37/'
expect "sensor_lag_s 0 with max_pad_c 39.4: valid" 0 "valid" -- "$CONTRASTD" -c "$TMP/lag0ok.conf" --check-config
expect "... and a session completes" 0 '"result":"completed"' -- \
	"$CONTRASTD" -c "$TMP/lag0ok.conf" --simulate --speed 0 --start short
# The schema's tighter ranges.
edit "$TMP/pwm.conf" -e 's/^; pwm_period_s = 1.0 .*$/pwm_period_s = 5/'
line=$(grep -n '^pwm_period_s = 5$' "$TMP/pwm.conf" | cut -d: -f1)
expect "pwm_period_s 5: out of its range" 1 "$TMP/pwm.conf:$line: pwm_period_s = 5 must be between 0.1 and 2" -- \
	"$CONTRASTD" -c "$TMP/pwm.conf" --check-config
expect "the shipped example is valid" 0 "valid" -- "$CONTRASTD" -c config/contrastd.conf --check-config
finish
