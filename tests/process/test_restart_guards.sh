#!/usr/bin/env bash
# What must outlive the process (docs/safety.md, "What survives a restart"),
# with the real binaries: the dose ledger and the latch survive kill -9 and
# a restart; back-to-back one-shot `--simulate --start` runs see each
# other's dose; the lockout after repeated faults, which acknowledging does
# not clear and `contrastd --clear-lockout` (root only) does; a ledger that
# cannot be read counts as used up.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"
sock=$TMP/control.sock
conf=$TMP/c.conf
state=$TMP/state
C=("$CONTRASTCTL" -c "$conf")
pid=
trap '[[ -n $pid ]] && kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT

# config_with 'KEY = VALUE'...: the private config with these [safety] keys.
config_with() {
	private_config | awk -v extra="$(printf '%s\n' "$@")" '{ print } /^\[safety\]/ { print extra }' >"$conf"
}

# start_daemon ARGS...: the daemon on the simulated plant, idle until told; waits for its socket.
start_daemon() {
	rm -f "$sock"
	"$CONTRASTD" -c "$conf" --simulate "$@" >>"$TMP/out" 2>>"$TMP/err" &
	pid=$!
	wait_for_socket "$sock" "$TMP/err"
}

kill9() {
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	pid=
}

# json FIELD-EXPRESSION: a field of `status --json`, by a python expression over s.
json() {
	"${C[@]}" --json status | python3 -c 'import json,sys; s=json.load(sys.stdin)["status"]; print(eval(sys.argv[1]))' "$1"
}

# wait_until EXPR: until the python expression over the status is True (10 s at most).
wait_until() {
	for _ in $(seq 100); do
		[[ $(json "$1" 2>/dev/null) == True ]] && return 0
		sleep 0.1
	done
	return 1
}

# ---- back-to-back one-shot runs see each other ----
config_with 'sessions_per_day = 2'
expect "one-shot run 1 completes" 0 '"result":"completed"' -- "$CONTRASTD" -c "$conf" --simulate --speed 0 --start short
expect "one-shot run 2 completes" 0 '"result":"completed"' -- "$CONTRASTD" -c "$conf" --simulate --speed 0 --start short
expect "one-shot run 3 is refused: the day's sessions are used" 3 \
	'refused: 2 of 2 sessions a day started in the last 24 hours; the next one may start at' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start short
expect "the ledger holds both sessions, closed" 0 '^2$' -- grep -c '^session [0-9.]* closed 2 left' "$state/dose-ledger"

# The heat budget across runs: a day's budget that one session's plan fits and two do not.
rm -rf "$state"
config_with 'heat_dose_min = 0.8' 'heat_dose_day_min = 0.8'
expect "a session within the heat budget completes" 0 '"result":"completed"' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start
expect "the next is refused in plain words" 3 \
	'refused: left pad: 0\.[0-9] of 0\.8 min heat dose left until ([A-Z][a-z][a-z] )?[0-9][0-9]:[0-9][0-9]; this program needs 0\.[0-9]' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start

# A program that plans more than a session may give is refused at once.
rm -rf "$state"
config_with 'heat_dose_min = 0.3'
expect "a program beyond heat_dose_min is refused" 3 \
	'refused: left pad: this program needs 0\.[0-9] min heat dose \(CEM43\), more than the 0\.3 a session may give' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start

# ---- the ledger survives kill -9 ----
rm -rf "$state"
config_with 'heat_dose_day_min = 6'
start_daemon --speed 20
expect "a session starts" 0 '^started: program default' -- "${C[@]}" start
sleep 1
expect "an open entry is in the ledger while it runs" 0 '^session [0-9.]+ open 2 left' -- cat "$state/dose-ledger"
kill9
start_daemon --speed 20
expect "after kill -9 the session still counts: 2 of 3 sessions left" 0 '^2$' -- json 's["sessions_left"]'
expect "... and its planned heat dose is taken from today's" 0 '^True$' -- \
	json 's["zones"][0]["heat_dose_left_min"] < 6.0 and s["zones"][1]["heat_dose_left_min"] < 6.0'
expect "status shows what is left today per zone" 0 'left +left today: heat dose [0-9.]+ of 6\.00 CEM43 min, cold 40\.0 of 40\.0 min' -- \
	"${C[@]}" status
kill9

# ---- the latch survives kill -9 ----
rm -rf "$state"
config_with
start_daemon --speed 20 --inject peltier-stuck-on@20
expect "a session starts" 0 '^started' -- "${C[@]}" start
wait_until 's["state"] == "fault"'
expect "the stuck Peltier tripped" 0 'over-temperature|runaway|rate-of-change' -- json 's["fault"]["kind"]'
kind=$(json 's["fault"]["kind"]')
expect "the latch is in state_dir" 0 "^fault $kind left" -- sed -n 2p "$state/latch"
kill9
start_daemon --speed 20
expect "after kill -9 the fault is latched again" 0 "^$kind\$" -- json 's["fault"]["kind"]'
expect "status names it" 0 "fault: +$kind in zone left" -- "${C[@]}" status
expect "the restart is logged" 0 'a fault latched before this start is latched again' -- cat "$TMP/err"
expect "no session starts while it is latched" 3 'refused: fault latched' -- "${C[@]}" start
wait_until 's["fault"]["ack_possible"]'
expect "a person acknowledges" 0 'idle' -- "${C[@]}" ack
expect "the latch file is gone" 1 '' -- test -e "$state/latch"
kill9
start_daemon --speed 20
expect "after the ack and a restart nothing is latched" 0 '^None$' -- json 's["fault"]'
kill9

# ---- lockout: the same fault kind in the same zone twice in 24 hours ----
rm -rf "$state"
config_with 'lockout_after = 2'
sed -i 's/^; led = GPIO4 .*/led = GPIO4/' "$conf"      # the status light: fast blink in lockout
expect "fault 1 (one-shot run)" 3 '"kind":"sensor-open","zone":"left"' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start short --inject sensor-open@30
start_daemon --speed 20
wait_until 's["fault"]["ack_possible"]'
expect "fault 1 acknowledged" 0 'idle' -- "${C[@]}" ack
kill9
expect "fault 2 (one-shot run) locks the device" 3 'locked out since' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start short --inject sensor-open@30
start_daemon --speed 20
expect "status says so in plain words" 0 'LOCKOUT: +locked out since .*sensor-open in zone left 2 times in 24 hours' -- \
	"${C[@]}" status
expect "the JSON names the kind and zone" 0 '^sensor-open left 2$' -- \
	json '" ".join([s["lockout"]["kind"], s["lockout"]["zone"], str(s["lockout"]["count"])])'
expect "the status light blinks fast" 0 '^fast-blink$' -- json 's["led"]'
wait_until 's["fault"]["ack_possible"]'
expect "acknowledging does not clear a lockout" 3 'refused: locked out since .*contrastd --clear-lockout' -- "${C[@]}" ack
expect "no session starts" 3 'refused: .*(locked out|fault latched)' -- "${C[@]}" start
expect "--clear-lockout is root's only" 1 'only root may clear a lockout' -- \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$CONTRASTD" -c "$conf" --clear-lockout
expect "--clear-lockout as root says who and when" 0 \
	'^lockout cleared by .*\(uid 0\).* at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z' -- "$CONTRASTD" -c "$conf" --clear-lockout
expect "the lockout file keeps who and when" 0 '^cleared [0-9.]+ .*uid 0' -- grep '^cleared' "$state/lockout"
expect "the running daemon sees it: the ack goes through" 0 'idle' -- "${C[@]}" ack
expect "status has no lockout" 0 '^None$' -- json 's["lockout"]'
kill9

# ---- calibrate over the socket: kept across a restart; a part far from the config refused ----
rm -rf "$state"
config_with
start_daemon --speed 20
sleep 0.5
expect "a first point is recorded" 0 '^left pad: point 1 recorded \(sensor 3[0-9]\.[0-9]+ C, reference 33\.00 C\)' -- \
	"${C[@]}" calibrate left 33
expect "an unknown zone is refused" 3 "no zone named 'middle'" -- "${C[@]}" calibrate middle 33
expect "a reference out of range is refused by contrastctl itself" 1 "calibrate: '61' is out of range" -- \
	"${C[@]}" calibrate left 61
kill9
start_daemon --speed 20
expect "the waiting point survived the restart" 0 '^one point$' -- json 's["zones"][0]["calibration"]'
sleep 0.5
expect "a sensor 10 C off is not this thermistor: refused" 3 \
	'refused: left pad: this is not the thermistor the config describes .*the calibration is unchanged' -- \
	"${C[@]}" calibrate left 43
expect "nothing was applied" 0 '^none$' -- json 's["zones"][0]["calibration"]'
"${C[@]}" start >/dev/null
expect "calibration is refused while a session runs" 3 'a session is running' -- "${C[@]}" calibrate left 25
kill9

# ---- a ledger that cannot be read counts as used up, and says so ----
rm -rf "$state"
config_with
mkdir -p "$state"
printf 'contrastd-dose-ledger 1\nsession garbage\nend 00000000\n' >"$state/dose-ledger"
expect "an unreadable ledger refuses every start, and says why" 3 \
	'refused: the dose ledger cannot be read \(.*dose-ledger is damaged.*\): it counts as used up' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start short
ln -sf /etc/passwd "$state/dose-ledger"
expect "a symlink in its place is not followed" 3 'symbolic link' -- \
	"$CONTRASTD" -c "$conf" --simulate --speed 0 --start short

finish
