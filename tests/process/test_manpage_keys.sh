#!/usr/bin/env bash
# Every configuration key and section the parser accepts must be documented
# in docs/contrastd.conf.5.
#
# Keys come from the parser's key tables in src/daemon/config_parse.c, whose
# entries are macros that start with the key's name:
#     K_REAL("warm_c", struct program, warm_c, ...),
#     K_STR("socket", V_SOCKET, ...),  K_INT(...), K_BOOL(...), K_ENUM(...), K_GAIN(...)
# and sections from its section table:  { "daemon", S_DAEMON, ... }.
# In the man page a key is a .TP tag ".B key" (or \fBkey\fR in the text), a
# section a "[word" in a heading or the text.
# Exit 77 (skip) when the parser is not there.
set -u
cd "$(dirname "$0")/../.." || exit 1
parser=src/daemon/config_parse.c
page=docs/contrastd.conf.5

if [[ ! -f $parser ]]; then
	echo "skip: $parser does not exist"
	exit 77
fi
if [[ ! -f $page ]]; then
	echo "FAIL: $page does not exist"
	exit 1
fi

mapfile -t keys < <(grep -oE '\<K_[A-Z]+\("[a-z][a-z0-9_]*"' "$parser" | sed -E 's/.*\("//; s/"$//' | sort -u)
mapfile -t sections < <(grep -oE '\{ *"[a-z]+", *S_[A-Z]+' "$parser" | sed -E 's/\{ *"//; s/".*//' | sort -u)

# A parser rewritten in another style would make this test pass on nothing.
if ((${#keys[@]} < 20 || ${#sections[@]} < 4)); then
	echo "FAIL: found only ${#keys[@]} keys and ${#sections[@]} sections in $parser:"
	echo "      the key table's form changed; update the patterns in $0"
	exit 1
fi

failures=0
for k in "${keys[@]}"; do
	if ! grep -Eq "^\.B[RI]? +\"?$k\"?( |$)|\\\\fB$k\\\\f[RP]" "$page"; then
		echo "FAIL: key $k (in $parser) is not documented in $page"
		failures=$((failures + 1))
	fi
done
for s in "${sections[@]}"; do
	if ! grep -Fq "[$s" "$page"; then
		echo "FAIL: section [$s] (in $parser) is not documented in $page"
		failures=$((failures + 1))
	fi
done
echo "${#keys[@]} keys and ${#sections[@]} sections in $parser; $failures missing from $page"
((failures == 0))
