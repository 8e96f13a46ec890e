#!/usr/bin/env bash
# The [simulate] section reaches the simulated plant: the real daemon
# (--simulate), judged on the true temperatures its --trace reports
# (true_pad_c, true_heatsink_c), never on what the daemon read.
#  - pad_offset_c = 0.5: the pad sensors read 0.5 C high, so the daemon,
#    holding its reading on the setpoint, holds the true pad 0.5 C below.
#  - ambient_c = 10: the device rests colder (pad and heatsink).
#  - A value outside its range is refused with FILE:LINE, by --check-config,
#    by --simulate and by the real-hardware start alike (checked always).
#  - A SIGHUP that changes [simulate] is refused: only a restart applies it.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"

base=$TMP/base.conf
private_config >"$base"
# with_simulate FILE KEY=VALUE...: the private config with those keys under its [simulate].
grep -q '^\[simulate\]$' "$base" || { echo "FAIL the example has no [simulate] section"; exit 1; }
with_simulate() {
	local f=$1 kv keys=
	shift
	for kv in "$@"; do keys+="\\n${kv%%=*} = ${kv#*=}"; done
	sed "s/^\[simulate\]\$/[simulate]$keys/" "$base" >"$f"
}
# run_short CONF TRACE: the short program flat out, a fresh state_dir.
run_short() {
	rm -rf "$TMP/state"
	"$CONTRASTD" -c "$1" --simulate --speed 0 --seed 5 --start short --trace "$2" >"$TMP/out" 2>"$TMP/err"
}
# judge TRACE: "REST_PAD REST_SINK READ_MINUS_TRUE HOLD_ERROR" from a trace:
# the true pad and heatsink at rest (the first row), the reading less the
# truth at rest, and the mean of true pad - setpoint over the ticks of the
# warm phases whose reading is within 0.3 C of the setpoint (the holds).
judge() {
	python3 - "$1" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
first = rows[0]
hold = [float(r["true_pad_c"]) - float(r["setpoint_c"]) for r in rows
        if r["phase"] == "warm" and r["pad_c"] and abs(float(r["pad_c"]) - float(r["setpoint_c"])) < 0.3]
assert len(hold) > 500, len(hold)
print("%.3f %.3f %.3f %.3f" % (float(first["true_pad_c"]), float(first["true_heatsink_c"]),
      float(first["pad_c"]) - float(first["true_pad_c"]), sum(hold) / len(hold)))
EOF
}
# near NAME VALUE WANT TOLERANCE
near() {
	checks=$((checks + 1))
	if awk -v v="$2" -v w="$3" -v t="$4" 'BEGIN { d = v - w; if (d < 0) d = -d; exit !(d <= t) }'; then
		echo "ok   $1: $2 (want $3 +/- $4)"
	else
		echo "FAIL $1: $2, wanted $3 +/- $4"
		failures=$((failures + 1))
	fi
}

# --- The reference world: no [simulate] -------------------------------------
if ! run_short "$base" "$TMP/ref.csv"; then
	echo "FAIL the reference run: $(tail -n 3 "$TMP/err")"
	exit 1
fi
read -r ref_pad ref_sink ref_read ref_hold < <(judge "$TMP/ref.csv")
near "reference: the true pad rests at 32.8 C" "$ref_pad" 32.84 0.05
near "reference: the reading at rest is the truth" "$ref_read" 0 0.2
near "reference: the warm holds keep the true pad on the setpoint" "$ref_hold" 0 0.1

# --- pad_offset_c = 0.5 -------------------------------------------------------
with_simulate "$TMP/offset.conf" pad_offset_c=0.5
expect "pad_offset_c: the config is valid" 0 "valid" -- "$CONTRASTD" -c "$TMP/offset.conf" --check-config
if run_short "$TMP/offset.conf" "$TMP/offset.csv"; then
	read -r off_pad off_sink off_read off_hold < <(judge "$TMP/offset.csv")
	near "pad_offset_c = 0.5: the true pad rests where it did" "$off_pad" "$ref_pad" 0.01
	near "pad_offset_c = 0.5: the pad reads 0.5 C above the truth at rest" "$off_read" 0.5 0.2
	near "pad_offset_c = 0.5: the warm holds keep the true pad 0.5 C below the setpoint" "$off_hold" -0.5 0.1
else
	checks=$((checks + 1)) failures=$((failures + 1))
	echo "FAIL the pad_offset_c run: $(tail -n 3 "$TMP/err")"
fi

# --- ambient_c = 10 -------------------------------------------------------------
with_simulate "$TMP/cold.conf" ambient_c=10
if run_short "$TMP/cold.conf" "$TMP/cold.csv"; then
	read -r cold_pad cold_sink cold_read cold_hold < <(judge "$TMP/cold.csv")
	# The rest state of sim_plant.c's two heat balances with a 10 C room (docs/simulation.md).
	near "ambient_c = 10: the true pad rests colder" "$cold_pad" 29.5 0.1
	near "ambient_c = 10: the true heatsink rests colder" "$cold_sink" 18.1 0.1
	near "ambient_c = 10: the warm holds still keep the true pad on the setpoint" "$cold_hold" 0 0.1
else
	checks=$((checks + 1)) failures=$((failures + 1))
	echo "FAIL the ambient_c run: $(tail -n 3 "$TMP/err")"
fi

# --- A value outside its range: FILE:LINE, whoever reads the file ----------------
with_simulate "$TMP/bad.conf" ambient_c=50
line=$(grep -n '^ambient_c = 50$' "$TMP/bad.conf" | cut -d: -f1)
msg="$TMP/bad.conf:$line: ambient_c = 50 must be between 0 and 40"
expect "a bad [simulate] value: --check-config names FILE:LINE" 1 "$msg" -- \
	"$CONTRASTD" -c "$TMP/bad.conf" --check-config
expect "a bad [simulate] value: --simulate refuses to start" 1 "$msg" -- \
	"$CONTRASTD" -c "$TMP/bad.conf" --simulate --speed 0 --start short
# The real hardware ignores the section but not its errors: refused before any line is touched.
expect "a bad [simulate] value: the real device refuses it too" 1 "$msg" -- "$CONTRASTD" -c "$TMP/bad.conf"
with_simulate "$TMP/beta.conf" thermistor_beta=99
line=$(grep -n '^thermistor_beta = 99$' "$TMP/beta.conf" | cut -d: -f1)
expect "a bad thermistor_beta: FILE:LINE" 1 "$TMP/beta.conf:$line: thermistor_beta = 99 must be between 1000 and 10000" -- \
	"$CONTRASTD" -c "$TMP/beta.conf" --check-config

# --- SIGHUP: a changed [simulate] needs a restart ------------------------------
conf=$TMP/live.conf
sock=$TMP/control.sock
C=("$CONTRASTCTL" -c "$conf")
with_simulate "$conf" ambient_c=15
rm -rf "$TMP/state"
"$CONTRASTD" -c "$conf" --simulate --speed 20 >"$TMP/live.out" 2>"$TMP/live.err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$sock" "$TMP/live.err"

with_simulate "$conf" ambient_c=25
{ printf '\n[program extra]\nwarm_c = 37\ncool_c = 24\n'; } >>"$conf"
kill -HUP $pid
sleep 0.5
expect "a reload that changes [simulate] is refused, named" 0 \
	"changes \\[simulate\\] ambient_c \\(the simulated world is fixed once the plant runs\\), which only a restart can apply" -- \
	cat "$TMP/live.err"
expect "status: the reload failed, restart-only" 0 '^reload: +FAILED .*\[simulate\] ambient_c.*only a restart can apply' -- \
	"${C[@]}" status
checks=$((checks + 1))
if "${C[@]}" programs | grep -q '^extra'; then
	echo "FAIL a refused reload applied its new program"
	failures=$((failures + 1))
else
	echo "ok   nothing of that reload applies"
fi
# The same [simulate] with another change: that reload applies.
with_simulate "$conf" ambient_c=15
{ printf '\n[program extra]\nwarm_c = 37\ncool_c = 24\n'; } >>"$conf"
kill -HUP $pid
sleep 0.5
expect "a reload that keeps [simulate] applies" 0 '^reload: +applied at ' -- "${C[@]}" status
expect "its new program is there" 0 '^extra' -- "${C[@]}" programs
kill -TERM $pid
wait $pid
rc=$?
checks=$((checks + 1))
if [[ $rc -eq 0 ]]; then
	echo "ok   the daemon stops cleanly"
else
	echo "FAIL the daemon exited $rc on SIGTERM"
	sed 's/^/    /' "$TMP/live.err" | tail -n 10
	failures=$((failures + 1))
fi
finish
