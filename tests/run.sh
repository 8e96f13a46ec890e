#!/usr/bin/env bash
# Runs every test given (cmocka binaries and process-test scripts), each in
# its own process. A passing test is one line ("ok   NAME  1.2 s"); a
# failing one is its line and then its whole output, indented, so what
# went wrong is on the screen and nothing else is. Closes with the failed
# and the skipped tests by name and one line:
#   check: N passed, N failed, N skipped
# A test that exits 77 is skipped: the machine cannot run it (not root, no
# unshare). It must say why on stderr in a line "skip: WHY"; a 77 without
# one counts as a failure, so nothing is ever skipped silently.
# VERBOSE=1 prints every test's output as it runs, passing or not.
set -u
passed=0 failed=0 skipped=0
failed_names=() skipped_names=()
out=$(mktemp) errlog=$(mktemp)
trap 'rm -f "$out" "$errlog"' EXIT
for t in "$@"; do
	name=${t#./}
	if [[ $t == *.sh ]]; then cmd=(bash "$t"); else cmd=("$t"); fi
	start=$(date +%s.%N)
	# stdout and stderr together in order, stderr also kept apart for the reason of a skip.
	if [[ ${VERBOSE:-0} == 1 ]]; then
		echo "=== $name"
		{ "${cmd[@]}" 2>&1 1>&3 3>&- | tee "$errlog" >&2; } 3>&1 | tee "$out"
		rc=${PIPESTATUS[0]}
	else
		{ "${cmd[@]}" 2>&1 1>&3 3>&- | tee "$errlog"; } >"$out" 3>&1
		rc=${PIPESTATUS[0]}
	fi
	secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0)
		passed=$((passed + 1))
		printf 'ok   %-45s %6s s\n' "$name" "$secs"
		;;
	77)
		why=$(grep -m 1 '^skip: ' "$errlog")
		if [[ -n $why ]]; then
			skipped=$((skipped + 1)); skipped_names+=("$name (${why#skip: })")
			printf 'skip %-45s %s\n' "$name" "${why#skip: }"
		else
			failed=$((failed + 1)); failed_names+=("$name (exit 77: a skip that does not say why on stderr)")
			printf 'FAIL %s (exit 77 without a "skip: WHY" line on stderr)\n' "$name"
			sed 's/^/    /' "$out"
		fi
		;;
	*)
		failed=$((failed + 1)); failed_names+=("$name")
		printf 'FAIL %s (exit %d)\n' "$name" "$rc"
		# The whole output of a failure: its FAIL lines and what led to them.
		[[ ${VERBOSE:-0} == 1 ]] || sed 's/^/    /' "$out"
		;;
	esac
done
echo
if ((failed > 0)); then
	printf 'failed: %s\n' "${failed_names[@]}"
fi
if ((skipped > 0)); then
	printf 'skipped: %s\n' "${skipped_names[@]}"
fi
echo "check: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
