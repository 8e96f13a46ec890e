#!/usr/bin/env bash
# The key tables of docs/configuration.md and docs/contrastd.conf.5 are what
# the schema (src/core/config_schema.c) generates, through the binary:
#   contrastd --list-keys markdown    contrastd --list-keys man
# Each prints one block per section between marker lines,
#   <!-- BEGIN GENERATED KEYS zone -->  ...  <!-- END GENERATED KEYS zone -->
#   .\" BEGIN GENERATED KEYS zone       ...  .\" END GENERATED KEYS zone
# and each doc must hold every block exactly once, as printed. The prose
# around the blocks is the docs' own.
#
# Checked here: the committed docs equal what the binary generates (the
# diff and the fix are printed when not), the man page renders without a
# warning, and --list-keys refuses a format it does not know.
#
# With --update (what `make docs` runs) the blocks are written into the docs
# in place instead, and nothing is checked.
. "$(dirname "$0")/lib.sh"
cd "$(dirname "$0")/../.." || exit 1

# splice DOC GENERATED: DOC with each marked block replaced by GENERATED's
# block of the same section, on stdout. Exit 1, saying why on stderr, when a
# block is unterminated, names a section the schema does not have, or a
# section's block is missing from DOC or there twice.
splice() {
	awk '
	function section_of(line,   n, f, i) {
		n = split(line, f, " ")
		for (i = 1; i < n; i++)
			if (f[i] == "KEYS")
				return f[i + 1]
		return ""
	}
	function complain(msg) {
		print doc ": " msg > "/dev/stderr"
		bad = 1
	}
	FNR == NR {
		if ($0 ~ /BEGIN GENERATED KEYS /) {
			sec = section_of($0)
			order[++n] = sec
			block[sec] = ""
			inside = 1
		}
		if (inside)
			block[sec] = block[sec] $0 "\n"
		if ($0 ~ /END GENERATED KEYS /)
			inside = 0
		next
	}
	FNR == 1 { doc = FILENAME }
	skipping {
		if ($0 ~ /END GENERATED KEYS /) {
			if (section_of($0) != sec)
				complain(FNR ": the block of " sec " (line " start ") ends with the marker of " section_of($0))
			skipping = 0
		}
		next
	}
	/BEGIN GENERATED KEYS / {
		sec = section_of($0)
		start = FNR
		skipping = 1
		used[sec]++
		if (sec in block)
			printf "%s", block[sec]
		else
			complain(FNR ": a block for section " sec ", which the schema does not have")
		next
	}
	{ print }
	END {
		if (skipping)
			complain(start ": the block of " sec " has no END GENERATED KEYS line")
		for (i = 1; i <= n; i++)
			if (used[order[i]] != 1)
				complain("the block of section " order[i] " is there " used[order[i]] + 0 " times, not once")
		exit bad
	}' "$2" "$1"
}

docs=(docs/configuration.md docs/contrastd.conf.5)
formats=(markdown man)

if [[ ${1:-} == --update ]]; then
	rc=0
	for i in 0 1; do
		doc=${docs[$i]}
		if ! "$CONTRASTD" --list-keys "${formats[$i]}" >"$TMP/gen" ||
			! splice "$doc" "$TMP/gen" >"$TMP/new"; then
			echo "docs: $doc not updated"
			rc=1
		elif cmp -s "$doc" "$TMP/new"; then
			echo "docs: $doc is up to date"
		else
			cat "$TMP/new" >"$doc"
			echo "docs: $doc updated from the schema"
		fi
	done
	exit $rc
fi

for i in 0 1; do
	doc=${docs[$i]} format=${formats[$i]}
	checks=$((checks + 1))
	if ! "$CONTRASTD" --list-keys "$format" >"$TMP/gen.$format" 2>"$TMP/err"; then
		echo "FAIL $doc: contrastd --list-keys $format failed: $(cat "$TMP/err")"
		failures=$((failures + 1))
		continue
	fi
	# A generator that prints nothing would make every doc match.
	n_blocks=$(grep -c 'BEGIN GENERATED KEYS ' "$TMP/gen.$format")
	n_keys=$(grep -cE '^(\| `[a-z0-9_]+` \||\.B [a-z0-9_]+$)' "$TMP/gen.$format")
	if ((n_blocks < 6 || n_keys < 60)); then
		echo "FAIL $doc: --list-keys $format printed only $n_blocks sections and $n_keys keys"
		failures=$((failures + 1))
	elif ! splice "$doc" "$TMP/gen.$format" >"$TMP/want" 2>"$TMP/err"; then
		echo "FAIL $doc: its GENERATED KEYS blocks do not fit the schema's sections:"
		sed 's/^/    /' "$TMP/err"
		echo "    fix the marker lines by hand, then run: make docs"
		failures=$((failures + 1))
	elif ! diff -u "$doc" "$TMP/want" >"$TMP/diff"; then
		echo "FAIL $doc: its key tables differ from what the schema generates:"
		sed 's/^/    /' "$TMP/diff"
		echo "    the tables come from src/core/config_schema.c; to write them into the docs, run: make docs"
		failures=$((failures + 1))
	else
		echo "ok   $doc: $n_keys keys in $n_blocks sections, as the schema generates them"
	fi
done

# The page as man shows it: groff warns about nothing (-ww), and every key is there.
checks=$((checks + 1))
if ! command -v groff >/dev/null || ! command -v man >/dev/null; then
	echo "FAIL groff or man is missing: install Debian's groff-base and man-db to check the page renders"
	failures=$((failures + 1))
fi
warnings=$(groff -man -ww -z -Tutf8 docs/contrastd.conf.5 2>&1)
if [[ -n $warnings ]]; then
	echo "FAIL docs/contrastd.conf.5: groff warns:"
	echo "$warnings" | sed 's/^/    /'
	failures=$((failures + 1))
else
	echo "ok   docs/contrastd.conf.5 renders without a warning"
fi
rendered=$(MANWIDTH=100 man -l docs/contrastd.conf.5 2>&1)
missing=0
while read -r key; do
	grep -Eq "^ +$key( +|$)" <<<"$rendered" || { echo "FAIL rendered page: no entry for $key"; missing=$((missing + 1)); }
done < <(sed -n 's/^\.B \([a-z0-9_]*\)$/\1/p' "$TMP/gen.man")
checks=$((checks + 1))
if ((missing > 0)); then
	failures=$((failures + 1))
else
	echo "ok   man -l docs/contrastd.conf.5 shows an entry for every key"
fi

expect "--list-keys: unknown format" 1 "--list-keys html: expected markdown or man" -- "$CONTRASTD" --list-keys html
expect "--list-keys: no format" 1 "--list-keys needs a value" -- "$CONTRASTD" --list-keys
expect "--help names --list-keys" 0 "--list-keys FORMAT" -- "$CONTRASTD" --help
finish
