#!/usr/bin/env bash
# The smaller items of issue 13 (item 10): null shown as - by contrastctl
# log; a failed write of the trace or of stdout is an error and a non-zero
# exit; control characters from the config are escaped in every message;
# whole numbers only in plain decimal. (An unwritable state_dir and CSV
# names that cannot collide: test_records_abuse.sh.)
. "$(dirname "$0")/lib.sh"
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
good=config/contrastd.conf

# absent NAME PERL_REGEX FILE: the file has no match.
absent() {
	checks=$((checks + 1))
	if grep -qP -- "$2" "$3"; then
		echo "FAIL $1: /$2/ found"
		sed 's/^/    /' "$3" | cat -v | tail -n 5
		failures=$((failures + 1))
	else
		echo "ok   $1"
	fi
}

# --- null as -: a session stopped before its first sample.
private_config >"$TMP/c.conf"
mkdir -p "$TMP/state"
chmod 750 "$TMP/state"
printf '%s\n' '{"started":"2026-11-25T23:15:00Z","csv":null,"result":"stopped","program":"default","duration_s":0,"cycles_done":0,"zones":[{"name":"left","max_pad_c":null,"min_pad_c":null,"time_in_band_pct":null,"max_heatsink_c":null}],"fault":{"kind":"over-temperature","zone":"left","at_s":null}}' \
	>"$TMP/state/sessions.jsonl"
"$CONTRASTD" -c "$TMP/c.conf" --simulate --speed 20 >/dev/null 2>"$TMP/err" &
pid=$!
trap 'kill -9 $pid 2>/dev/null; rm -rf "$TMP"' EXIT
for _ in $(seq 50); do [[ -S $TMP/control.sock ]] && break; sleep 0.1; done
expect "log: null values shown as -" 0 "left -/- C -%; fault over-temperature in left at - s" -- \
	"$CONTRASTCTL" -c "$TMP/c.conf" log
"$CONTRASTCTL" -c "$TMP/c.conf" log >"$TMP/log.out" 2>&1
absent "log: never nan" "nan" "$TMP/log.out"
kill -TERM $pid
wait $pid

# --- write errors. (Each one-shot run is a session in state_dir's dose ledger:
# a fresh ledger here, so the day's sessions_per_day do not refuse them.)
rm -f "$TMP/state/dose-ledger"
expect "--trace on a full disk: exit 1, said" 1 "--trace /dev/full: write: No space left on device" -- \
	$CONTRASTD -c "$TMP/c.conf" --simulate --speed 0 --start short --trace /dev/full
expect "stdout on a full disk: exit 1, said" 1 "writing to stdout" -- \
	bash -c "$CONTRASTD -c $TMP/c.conf --simulate --speed 0 --start short >/dev/full"
expect "--check-config with stdout on a full disk: exit 1" 1 "writing to stdout" -- \
	bash -c "$CONTRASTD -c $good --check-config >/dev/full"
expect "a fault run keeps exit 3 whatever stdout did" 3 "" -- \
	bash -c "$CONTRASTD -c $TMP/c.conf --simulate --speed 0 --start --inject sensor-open@0 >/dev/full"

# --- control characters from the config are escaped.
printf '[program \033]0;retitled\a]\n' >"$TMP/esc1.conf"
printf '[daemon]\nbogus\033[2J = 1\n' >"$TMP/esc2.conf"
printf '[zone left]\nheat = GPIO\033[31m17\n' >"$TMP/esc3.conf"
for f in esc1 esc2 esc3; do
	$CONTRASTD -c "$TMP/$f.conf" --check-config >"$TMP/$f.out" 2>&1
	expect "$f: the message names the bad bytes as \\x1b or \\x07" 0 '\\x(1b|07)' -- cat "$TMP/$f.out"
	absent "$f: no raw control character in the message" '[\x00-\x08\x0b-\x1f\x7f]' "$TMP/$f.out"
	$CONTRASTD -c "$TMP/$f.conf" --safe-off >"$TMP/$f.out" 2>&1
	absent "$f --safe-off: no raw control character either" '[\x00-\x08\x0b-\x1f\x7f]' "$TMP/$f.out"
done

# --- whole numbers in plain decimal.
for v in 1e1 10.0 5.5 0x10 1e0; do
	sed "s/^cycles = 5$/cycles = $v/" $good >"$TMP/n.conf"
	line=$(grep -n "^cycles = $v$" "$TMP/n.conf" | head -1 | cut -d: -f1)
	expect "cycles = $v is refused" 1 "n.conf:$line: cycles = $v is not a (whole )?number" -- \
		$CONTRASTD -c "$TMP/n.conf" --check-config
done
sed 's/^cycles = 5$/cycles = +5/' $good >"$TMP/n.conf"
expect "cycles = +5 is a whole number" 0 "valid" -- $CONTRASTD -c "$TMP/n.conf" --check-config
finish
