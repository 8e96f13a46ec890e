#!/usr/bin/env bash
# contrastd --safe-off (issue 13, item 1): whatever else is wrong with the
# config, every output line it names is driven (here: tried, as the machine
# has no GPIO chip, so each is named and the exit is 2), the config's other
# errors are reported and never decide the exit code, and the record of the
# lines the daemon last claimed fills in what the config no longer says.
. "$(dirname "$0")/lib.sh"

if ls /dev/gpiochip* >/dev/null 2>&1; then
	echo "skip: this machine has GPIO chips; --safe-off would drive real lines"
	exit 77
fi
private_config >"$TMP/good.conf"
LINES=("power: GPIO16" "left enable: GPIO22" "left heat: GPIO17" "left cool: GPIO27" "left fan: GPIO5"
	"right enable: GPIO25" "right heat: GPIO23" "right cool: GPIO24" "right fan: GPIO6")

# every_line NAME WANT_RC FILE [EXTRA_PATTERN]: --safe-off -c FILE exits WANT_RC and names every line.
every_line() {
	local name=$1 want=$2 file=$3 extra=${4:-}
	local out rc missing=()
	out=$($CONTRASTD -c "$file" --safe-off 2>&1)
	rc=$?
	checks=$((checks + 1))
	for l in "${LINES[@]}"; do
		grep -q "safe-off: $l: " <<<"$out" || missing+=("$l")
	done
	if [[ $rc -ne $want ]]; then
		echo "FAIL $name: exit $rc, wanted $want"
		echo "$out" | sed 's/^/    /' | tail -n 15
		failures=$((failures + 1))
	elif ((${#missing[@]})); then
		echo "FAIL $name: lines not driven: ${missing[*]}"
		echo "$out" | sed 's/^/    /' | tail -n 15
		failures=$((failures + 1))
	elif [[ -n $extra ]] && ! grep -Eq -- "$extra" <<<"$out"; then
		echo "FAIL $name: output does not match /$extra/"
		echo "$out" | sed 's/^/    /' | tail -n 15
		failures=$((failures + 1))
	else
		echo "ok   $name"
	fi
}

# break NAME SED_SCRIPT: the good config with one section broken.
brk() {
	sed -e "$2" "$TMP/good.conf" >"$TMP/$1.conf"
}

every_line "a valid config: every line, exit 2 without GPIO" 2 "$TMP/good.conf"
brk program 's/^warm_c = 39$/warm_c = 52/'
every_line "[program] warm_c = 52" 2 "$TMP/program.conf" "program.conf:[0-9]+: warm_c = 52 is above the hard limit"
brk daemon 's/^\[daemon\]$/[daemon]\ncontrol_hz = fast\nbogus = 1/'
every_line "[daemon]: a bad value and an unknown key" 2 "$TMP/daemon.conf" "unknown key bogus in \[daemon\]"
brk button 's/^line = GPIO26$/line = GPIO 26/'
every_line "[button]: a line that is no line" 2 "$TMP/button.conf" "line = GPIO 26 is not a line"
brk thermistor 's/^\[thermistor\]$/[thermistor]\nsh_a = 1e-3/'
every_line "[thermistor]: a lone Steinhart-Hart coefficient" 2 "$TMP/thermistor.conf"
brk safety 's/^\[safety\]$/[safety]\nmax_pad_c = 99\nnonsense/'
every_line "[safety]: above the hard limit, a line that is no key" 2 "$TMP/safety.conf" "max_pad_c = 99 is above the hard limit"
brk zone 's/^pad_sensor = \(.*voltage0\)$/pad_sensor = nowhere\nkp = -5/'
every_line "[zone left]: a bad sensor and a bad gain" 2 "$TMP/zone.conf" "pad_sensor = nowhere"
brk section 's/^\[button\]$/[buton]/'
every_line "an unknown section" 2 "$TMP/section.conf" "unknown section \[buton\]"
{ cat "$TMP/good.conf"; printf '; %*s\n' 400 x; } >"$TMP/long.conf"
every_line "a line too long" 2 "$TMP/long.conf" "line too long"
printf '\0' | cat "$TMP/good.conf" - >"$TMP/nul.conf"
every_line "a NUL byte" 2 "$TMP/nul.conf" "NUL byte"

# The record of the lines claimed: the daemon writes it before it claims
# any (here the claim then fails: no GPIO), next to its socket.
$CONTRASTD -c "$TMP/good.conf" >/dev/null 2>&1
expect "the daemon records the lines it claims, next to its socket" 0 "^right fan	GPIO6	0$" -- cat "$TMP/contrastd.lines"
# A zone header the lenient parse cannot take: its lines come from the record.
brk header 's/^\[zone right\]$/[zone right!]/'
every_line "a refused [zone] header: the record's lines" 2 "$TMP/header.conf" "contrastd.lines names 9 lines"
# No config at all: the record alone.
sed -n '/^\[daemon\]/,/^socket/p' "$TMP/good.conf" >"$TMP/daemon-only.conf"
every_line "a config with no zone: the record's lines" 2 "$TMP/daemon-only.conf"
mv "$TMP/contrastd.lines" "$TMP/saved.lines"
expect "no line known at all: exit 2, said" 2 "no output line known" -- $CONTRASTD -c "$TMP/daemon-only.conf" --safe-off
# A missing config: the record next to the default socket, if there is one.
expect "a missing config: exit 2" 2 "no output line known|/run/contrastd/contrastd.lines names" -- \
	$CONTRASTD -c "$TMP/missing.conf" --safe-off
# A record that is a symlink is not followed.
ln -s "$TMP/saved.lines" "$TMP/contrastd.lines"
expect "a record that is a symlink is not read" 2 "contrastd.lines: a symbolic link" -- \
	$CONTRASTD -c "$TMP/daemon-only.conf" --safe-off
finish
