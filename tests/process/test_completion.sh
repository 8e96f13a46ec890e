#!/usr/bin/env bash
# Bash completion of contrastctl and contrastd (config/bash-completion/):
# the candidates offered at each point of a command line, sourced into a
# bash as bash-completion would, with the config's program names.
cd "$(dirname "$0")/../.." || exit 1
source tests/process/lib.sh
CONTRASTCTL=${CONTRASTCTL:-build/contrastctl}
require_built "$CONTRASTD" "$CONTRASTCTL"
conf=$TMP/c.conf
{ private_config; printf '\n[program  evening ]\nwarm_c = 37\n'; } >"$conf"

# candidates SCRIPT WORDS...: what completing the last word offers, sorted, one line.
candidates() {
	local script=$1
	shift
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		fn=$(complete -p "$(basename "$1")" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | paste -sd " "' _ "$script" "$@"
}
ctl=config/bash-completion/contrastctl
d=config/bash-completion/contrastd
C=$CONTRASTCTL

expect "contrastctl: the commands, from the protocol table" 0 '^ack autotune calibrate log plot programs start status stop$' -- \
	candidates $ctl "$C" ''
expect "contrastctl: commands that start with st" 0 '^start status stop$' -- candidates $ctl "$C" st
expect "the list is the table's" 0 "^$(candidates $ctl "$C" '')\$" -- bash -c "'$C' --list-commands words | sort | paste -sd ' '"
expect "contrastctl: options" 0 '^--follow$' -- candidates $ctl "$C" --fo
expect "contrastctl: options after the command" 0 '^--follow$' -- candidates $ctl "$C" status --fo
expect "contrastctl start: the config's programs" 0 '^default evening short$' -- candidates $ctl "$C" -c "$conf" start ''
expect "contrastctl programs e: one program" 0 '^evening$' -- candidates $ctl "$C" --config "$conf" programs e
expect "contrastctl start: nothing after the program" 0 '^$' -- candidates $ctl "$C" -c "$conf" start short ''
expect "contrastctl status: no program names" 0 '^$' -- candidates $ctl "$C" -c "$conf" status ''
expect "contrastctl -c: files" 0 "$TMP/c.conf" -- candidates $ctl "$C" -c "$TMP/c."
expect "contrastctl --list-commands: the formats" 0 '^man markdown$' -- candidates $ctl "$C" --list-commands ma
expect "contrastctl plot: session numbers" 0 '^1 2 3$' -- candidates $ctl "$C" plot ''
expect "contrastctl calibrate: the config's zones" 0 '^left right$' -- candidates $ctl "$C" -c "$conf" calibrate ''
expect "contrastctl calibrate ZONE: no more names" 0 '^$' -- candidates $ctl "$C" -c "$conf" calibrate left ''
expect "contrastctl autotune: the config's zones" 0 '^left right$' -- candidates $ctl "$C" -c "$conf" autotune ''
expect "contrastctl autotune ZONE: no more names" 0 '^$' -- candidates $ctl "$C" -c "$conf" autotune left ''

expect "contrastd: options" 0 '^--safe-off --seed --simulate --speed --start$' -- candidates $d contrastd --s
expect "contrastd --start: the config's programs" 0 '^default evening short$' -- candidates $d contrastd -c "$conf" --simulate --start ''
expect "contrastd --list-keys: the formats" 0 '^man markdown$' -- candidates $d contrastd --list-keys ''
expect "contrastd --inject: kinds" 0 '^peltier-dead@ peltier-reversed@ peltier-stuck-on-cool@ peltier-stuck-on@$' -- candidates $d contrastd --simulate --inject pel
# The kinds offered are the ones the daemon knows (its error lists them).
known=$("$CONTRASTD" -c "$conf" --simulate --start --inject bogus@1 2>&1 | sed -n 's/.*(known: \(.*\))$/\1/p' | tr -d ',' | tr ' ' '\n' | sort | paste -sd ' ')
# A mistake on the command line is said before state_dir is touched.
expect "an unknown --inject leaves state_dir alone" 0 '^absent$' -- bash -c "[[ -e '$TMP/state' ]] && echo present || echo absent"
offered=$(candidates $d contrastd --inject '' | tr -d @ | tr ' ' '\n' | sort | paste -sd ' ')
expect "contrastd --inject: exactly the daemon's kinds" 0 '^same$' -- bash -c "[[ '$known' == '$offered' && -n '$known' ]] && echo same || echo \"daemon: $known; completion: $offered\""
finish
