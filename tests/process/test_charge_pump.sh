#!/usr/bin/env bash
# [safety] power_mode = charge-pump (issue 10, item 6) with the real daemon:
#  - --check-config refuses a bad power_mode, a charge_pump_hz out of range
#    and a charge pump without a power line, each at FILE:LINE;
#  - on the simulated device (--trace's power_edges and relay columns): the
#    wave runs while a session runs (2 * charge_pump_hz / control_hz edges
#    a tick) and the relay holds; it stops, the line left inactive, when
#    the session completes, is stopped over the socket, ends by a fault,
#    and on SIGTERM; the relay opens one hold-up (5 periods) later; idle,
#    no edge at all;
#  - --safe-off drives the power line inactive in charge-pump mode too
#    (tried: this machine has no GPIO chip; tests/hw/charge_pump.c drives
#    a fake one).
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"
command -v python3 >/dev/null || { echo "FAIL: python3 is not installed (make deps installs it)"; exit 1; }

# pump_config [EXTRA LINES]: the private example config in charge-pump mode at 50 Hz.
pump_config() {
	private_config | sed "s/^power = \\(.*\\)$/power = \\1\\npower_mode = charge-pump\\ncharge_pump_hz = 50${1:+\\n$1}/"
}

# ---- --check-config ----
pump_config >"$TMP/good.conf"
expect "charge-pump: a valid config" 0 'valid' -- "$CONTRASTD" -c "$TMP/good.conf" --check-config
private_config | sed 's/^power = \(.*\)$/power = \1\npower_mode = pump/' >"$TMP/bad.conf"
line=$(grep -n '^power_mode = pump$' "$TMP/bad.conf" | cut -d: -f1)
expect "a bad power_mode: FILE:LINE" 1 "bad.conf:$line: power_mode = pump must be level or charge-pump" -- \
	"$CONTRASTD" -c "$TMP/bad.conf" --check-config
for hz in 5 500 fast; do
	pump_config | sed "s/^charge_pump_hz = 50$/charge_pump_hz = $hz/" >"$TMP/bad.conf"
	line=$(grep -n "^charge_pump_hz = $hz\$" "$TMP/bad.conf" | cut -d: -f1)
	expect "charge_pump_hz = $hz: FILE:LINE" 1 "bad.conf:$line: charge_pump_hz = $hz (must be between 10 and 200|is not a number)" -- \
		"$CONTRASTD" -c "$TMP/bad.conf" --check-config
done
pump_config | sed '/^power = /d' >"$TMP/bad.conf"
line=$(grep -n '^power_mode = charge-pump$' "$TMP/bad.conf" | cut -d: -f1)
expect "a charge pump without a power line: FILE:LINE" 1 \
	"bad.conf:$line: power_mode = charge-pump needs the power line" -- "$CONTRASTD" -c "$TMP/bad.conf" --check-config

# check_trace NAME TRACE END_STATE: the wave and the relay, tick by tick.
check_trace() {
	expect "$1" 0 '^ok' -- python3 - "$2" "$3" <<'EOF'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["zone"] == "left"]
end = sys.argv[2]
assert rows and "power_edges" in rows[0] and "relay" in rows[0], "no charge pump columns"
# 50 Hz at 10 ticks a second: 10 edges a tick while running (from the tick after the start).
run = [i for i, r in enumerate(rows) if r["state"] == "running"]
assert len(run) > 50, "the session did not run"
assert int(rows[run[0]]["power_edges"]) == int(rows[run[0] - 1]["power_edges"]) + 1 if run[0] else True
idle = [r for r in rows[:run[0]]]
assert all(r["power_edges"] == "0" and r["relay"] == "0" for r in idle), "edges or relay before the session"
for i in run[1:]:
    d = int(rows[i]["power_edges"]) - int(rows[i - 1]["power_edges"])
    assert 9 <= d <= 11, "%s: %d edges in a tick" % (rows[i]["t_s"], d)
    assert rows[i]["relay"] == "1", "%s: relay open while running" % rows[i]["t_s"]
after = rows[run[-1] + 1:]
if end != "SIGTERM":
    assert after and after[0]["state"] == end, "ended %s, wanted %s" % (after[0]["state"] if after else "-", end)
    # The tick that ended it brings one fall at most; then nothing, the relay open 0.1 s after the last rise.
    e0 = int(after[0]["power_edges"])
    assert e0 - int(rows[run[-1]]["power_edges"]) <= 11
    assert e0 % 2 == 0, "left active: %d edges" % e0
    assert all(int(r["power_edges"]) == e0 for r in after), "edges after the end"
    assert all(r["relay"] == "0" for r in after[2:]), "relay closed after the end"
print("ok", len(run), "ticks running,", rows[-1]["power_edges"], "edges")
EOF
}

# ---- a session that completes (batch) ----
rm -rf "$TMP/state"
expect "charge-pump: a simulated session completes" 0 '"result":"completed"' -- \
	"$CONTRASTD" -c "$TMP/good.conf" --simulate --speed 0 --start short --trace "$TMP/done.csv"
check_trace "completed: the wave while running, nothing after" "$TMP/done.csv" completed

# ---- a fault (batch): iio-error on the left zone ----
rm -rf "$TMP/state"
expect "charge-pump: a fault ends it" 3 '"result":"fault"' -- \
	"$CONTRASTD" -c "$TMP/good.conf" --simulate --speed 0 --start short --inject iio-error:left@60 --trace "$TMP/fault.csv"
check_trace "fault: the wave stops in the tick of the trip" "$TMP/fault.csv" fault

# ---- stopped over the socket, and idle after (not a batch run: the trace goes on) ----
rm -rf "$TMP/state"
"$CONTRASTD" -c "$TMP/good.conf" --simulate --speed 20 --trace "$TMP/stop.csv" >"$TMP/out" 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
wait_for_socket "$TMP/control.sock" "$TMP/err"
C=("$CONTRASTCTL" -c "$TMP/good.conf")
expect "a session runs" 0 '^started' -- "${C[@]}" start
sleep 1.5
expect "stop" 0 'stopped' -- "${C[@]}" stop
sleep 0.5
kill -TERM $pid
wait $pid
rc=$?
expect "the daemon exits 0 on SIGTERM" 0 '' -- test $rc -eq 0
check_trace "stop: the wave stops at the stop, the relay opens" "$TMP/stop.csv" stopped

# ---- SIGTERM mid-session ----
rm -rf "$TMP/state"
"$CONTRASTD" -c "$TMP/good.conf" --simulate --speed 20 --start --trace "$TMP/term.csv" >"$TMP/term.txt" 2>"$TMP/err" &
pid=$!
sleep 1.5
kill -TERM $pid
wait $pid
rc=$?
expect "SIGTERM mid-session: stopped, exit 0" 0 '"result":"stopped"' -- bash -c "test $rc -eq 0 && cat $TMP/term.txt"
check_trace "SIGTERM: the wave ran until the signal" "$TMP/term.csv" SIGTERM
expect "SIGTERM: the simulated power line left inactive" 0 'simulated power line: [0-9]*[02468] edges, left inactive' -- \
	cat "$TMP/err"

# ---- level mode: no wave, no extra columns (the trace as it always was) ----
rm -rf "$TMP/state"
private_config >"$TMP/level.conf"
"$CONTRASTD" -c "$TMP/level.conf" --simulate --speed 0 --start short --trace "$TMP/level.csv" >/dev/null 2>&1
expect "level mode: the trace's columns as before" 0 'power$' -- head -n 1 "$TMP/level.csv"

# ---- --safe-off names and drives the power line in charge-pump mode too ----
if ! ls /dev/gpiochip* >/dev/null 2>&1; then
	expect "--safe-off: the power line is driven (tried) in charge-pump mode" 2 'safe-off: power: GPIO16: ' -- \
		"$CONTRASTD" -c "$TMP/good.conf" --safe-off
fi

finish
