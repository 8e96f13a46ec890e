#!/usr/bin/env bash
# The real binary as a person or a script runs it: --check-config on good
# and bad files, usage errors, a simulated session's JSON line, exit codes.
. "$(dirname "$0")/lib.sh"

# The example config with its state_dir (and socket) under $TMP; every
# simulated run starts from an empty state_dir (fresh), since a one-shot
# run keeps its dose, latch and lockout there as the daemon does.
good=$TMP/contrastd.conf
private_config >"$good"
fresh() {
	rm -rf "$TMP/state"
	"$@"
}
expect "check-config: the example is valid" 0 "valid" -- $CONTRASTD -c $good --check-config

# Bad configs: FILE:LINE: message, exit 1, nothing else touched.
sed 's/^warm_c = 39$/warm_c = 52/' $good >"$TMP/hot.conf"
line=$(grep -n '^warm_c = 52$' "$TMP/hot.conf" | cut -d: -f1)
expect "check-config: warm_c above the hard limit" 1 "hot.conf:$line: warm_c = 52 is above the hard limit of 43" -- \
	$CONTRASTD -c "$TMP/hot.conf" --check-config

printf '[daemon]\nbogus = 1\n' >"$TMP/unknown.conf"
expect "check-config: unknown key" 1 "unknown.conf:2: .*bogus" -- $CONTRASTD -c "$TMP/unknown.conf" --check-config

printf '[nonsense]\n' >"$TMP/section.conf"
expect "check-config: unknown section" 1 "section.conf:1: .*nonsense" -- $CONTRASTD -c "$TMP/section.conf" --check-config

# Mistakes that explain themselves: the name meant, the unit to leave out.
sed 's/^warm_s = /wram_s = /' $good >"$TMP/typo.conf"
line=$(grep -n '^wram_s' "$TMP/typo.conf" | head -n 1 | cut -d: -f1)
expect "check-config: a misspelt key: did you mean" 1 "typo.conf:$line: unknown key wram_s in \[program\]: did you mean warm_s\?" -- \
	$CONTRASTD -c "$TMP/typo.conf" --check-config
sed 's/^\[program\]$/[programme]/' $good >"$TMP/typo2.conf"
expect "check-config: a misspelt section" 1 "typo2.conf:[0-9]+: unknown section \[programme\]: did you mean \[program\]\?" -- \
	$CONTRASTD -c "$TMP/typo2.conf" --check-config
sed '0,/^cycles = /s/^cycles = /Cycles = /' $good >"$TMP/case.conf"
expect "check-config: a key in the wrong case" 1 "case.conf:[0-9]+: unknown key Cycles in \[program\]: keys are lower case: did you mean cycles\?" -- \
	$CONTRASTD -c "$TMP/case.conf" --check-config
sed '0,/^warm_s = .*/s//warm_s = 3m/' $good >"$TMP/unit.conf"
expect "check-config: a number with a unit" 1 "unit.conf:[0-9]+: warm_s = 3m: give it in seconds, without a unit: warm_s = 180" -- \
	$CONTRASTD -c "$TMP/unit.conf" --check-config
sed '0,/^warm_c = .*/s//warm_c = 39C/' $good >"$TMP/unitc.conf"
expect "check-config: degrees with a unit" 1 "unitc.conf:[0-9]+: warm_c = 39C: give it in .C, without a unit: warm_c = 39" -- \
	$CONTRASTD -c "$TMP/unitc.conf" --check-config

expect "check-config: missing file" 1 "$TMP/missing.conf: .*No such file" -- $CONTRASTD -c "$TMP/missing.conf" --check-config

# Usage errors.
expect "usage: unknown flag" 1 "unknown argument '--frobnicate'" -- $CONTRASTD --frobnicate
expect "usage: --speed without --simulate" 1 "--speed only goes with --simulate" -- $CONTRASTD -c $good --speed 2
expect "usage: bad speed" 1 "--speed abc" -- fresh $CONTRASTD -c $good --simulate --speed abc
expect "usage: bad injection" 1 "unknown kind 'melt'" -- fresh $CONTRASTD -c $good --simulate --start --inject melt@10
expect "usage: injection zone" 1 "no zone named 'middle'" -- fresh $CONTRASTD -c $good --simulate --start --inject fan-fail:middle@10
expect "usage: unknown program" 1 "^contrastd: --start nope: no program named 'nope' \\(programs: default, short\\)$" -- fresh $CONTRASTD -c $good --simulate --speed 0 --start nope
expect "usage: a misspelt program, said once" 1 "^contrastd: --start shrot: no program named 'shrot' \\(did you mean 'short'\\? programs: default, short\\)$" -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start shrot
expect "help" 0 "usage: contrastd" -- $CONTRASTD --help

# A session refuses to start while a sensor is implausible: exit 3, the reason said.
expect "start refused: an open sensor" 3 "refused: left pad sensor open \(3300.0 mV\)" -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start --inject sensor-open@0
expect "start refused: the right zone's sensor shorted" 3 "refused: right pad sensor short" -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start --inject sensor-short:right@0

# Real hardware on a machine without it: exit 2, every missing piece named.
if ! ls /dev/gpiochip* >/dev/null 2>&1 && [[ ! -d /sys/bus/iio/devices ]]; then
	expect "hardware: no GPIO chip, exit 2" 2 "GPIO16: no GPIO line by that name" -- $CONTRASTD -c $good
	expect "--safe-off without GPIO: exit 2, each line named" 2 "safe-off: right fan: GPIO6" -- $CONTRASTD -c $good --safe-off
	expect "--probe without hardware: exit 2, each sensor named" 2 "right heatsink: ads1015/voltage3: not read" -- \
		$CONTRASTD -c $good --probe
fi

# A whole simulated session of the short program: progress lines and the JSON line.
expect "simulated session: completed" 0 '^\{"result":"completed","program":"short","duration_s":[0-9.]+,"cycles_done":2,"zones":\[\{"name":"left","max_pad_c":[0-9.]+,"min_pad_c":[0-9.]+,"time_in_band_pct":[0-9.]+,"max_heatsink_c":[0-9.]+\},\{"name":"right".*\],"fault":null\}$' -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start short
expect "simulated session: progress lines name the target, then the pads" 0 "cool 2/2  target 22.0 C  pads: left [0-9.]+ C, right [0-9.]+ C" -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start short
expect "simulated session: a readable summary before the JSON line" 0 \
	"^completed 2 cycles of program short in [0-9]+:[0-9]{2}; left pad within 0.5 .C of the setpoint [0-9]+ % of the time \([0-9.]+ to [0-9.]+ .C\); right pad" -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start short
fresh $CONTRASTD -c $good --simulate --speed 0 --start >"$TMP/demo.txt" 2>/dev/null
expect "the demo shows every phase change it passes" 0 "^10$" -- \
	bash -c "grep -cE '^ +[0-9]+:[0-9]{2}  (warm|cool) [1-5]/5  target' '$TMP/demo.txt'"
expect "the summary is the line before the JSON, which is the last" 0 "^completed 5 cycles" -- \
	bash -c "tail -n 2 '$TMP/demo.txt' | head -n 1; tail -n 1 '$TMP/demo.txt' | grep -q '^{\"result\"'"
expect "a fault's summary says so" 3 "^ended by a safety fault after [0-9]+:[0-9]{2} .*; fault: " -- \
	fresh $CONTRASTD -c $good --simulate --speed 0 --start short --inject fan-fail@30

# The JSON line parses, and the trace has a row per tick and zone.
fresh $CONTRASTD -c $good --simulate --speed 0 --seed 9 --start short --trace "$TMP/trace.csv" >"$TMP/out.txt" 2>/dev/null
expect "simulated session: JSON parses" 0 "completed" -- python3 -c '
import json,sys
line=[l for l in open(sys.argv[1]) if l.startswith("{")][-1]
j=json.loads(line); print(j["result"]); assert j["fault"] is None and len(j["zones"])==2' "$TMP/out.txt"
expect "trace: header and rows" 0 "^ok" -- python3 -c '
import csv,sys
rows=list(csv.DictReader(open(sys.argv[1])))
assert set(["t_s","zone","phase","setpoint_c","pad_c","true_pad_c","heatsink_c","duty","heat","cool","enable","fan","power"]) <= set(rows[0])
assert len(rows) % 2 == 0 and rows[0]["zone"]=="left" and rows[1]["zone"]=="right"
assert all(not (r["heat"]=="1" and r["cool"]=="1") for r in rows)
print("ok", len(rows))' "$TMP/trace.csv"

# Same seed, same run, bit for bit; another seed, another run.
fresh $CONTRASTD -c $good --simulate --speed 0 --seed 9 --start short --trace "$TMP/trace2.csv" >/dev/null 2>&1
fresh $CONTRASTD -c $good --simulate --speed 0 --seed 10 --start short --trace "$TMP/trace3.csv" >/dev/null 2>&1
expect "seed: same seed, same trace" 0 "" -- cmp "$TMP/trace.csv" "$TMP/trace2.csv"
expect "seed: other seed, other trace" 1 "differ" -- cmp "$TMP/trace.csv" "$TMP/trace3.csv"

# The sanitizer build runs a whole session clean.
expect "sanitizers: a whole session" 0 '"result":"completed"' -- fresh $CONTRASTD_SAN -c $good --simulate --speed 0 --start short

# Speed: a 30-minute session flat out takes well under a second (behaviour, not a benchmark:
# the limit is generous; make bench reports the figure).
rm -rf "$TMP/state"
start=$(date +%s%N)
$CONTRASTD -c $good --simulate --speed 0 --start >/dev/null 2>&1
ms=$(( ($(date +%s%N) - start) / 1000000 ))
expect "speed 0: the example session (40 simulated minutes) in ${ms} ms" 0 "" -- test $ms -lt 5000

# SIGTERM mid-session: stopped, outputs off, exit 0.
rm -rf "$TMP/state"
$CONTRASTD -c $good --simulate --speed 50 --start >"$TMP/term.txt" 2>&1 &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
rc=$?
expect "SIGTERM: exit 0, session stopped" 0 '"result":"stopped"' -- bash -c "test $rc -eq 0 && cat $TMP/term.txt"

finish
