#!/usr/bin/env bash
# Runs every test given (cmocka binaries and process-test scripts), each in
# its own process, prints its output, and closes with the failed and the
# skipped tests by name and one line:
#   check: N passed, N failed, N skipped
# A test that exits 77 is skipped: the machine cannot run it (not root, no
# unshare). It must say why on stderr in a line "skip: WHY"; a 77 without
# one counts as a failure, so nothing is ever skipped silently.
set -u
passed=0 failed=0 skipped=0
failed_names=() skipped_names=()
errlog=$(mktemp)
trap 'rm -f "$errlog"' EXIT
for t in "$@"; do
	name=${t#./}
	echo "=== $name"
	# stdout as it is; stderr shown as it comes and kept, for the reason of a skip.
	if [[ $t == *.sh ]]; then cmd=(bash "$t"); else cmd=("$t"); fi
	{ "${cmd[@]}" 2>&1 1>&3 3>&- | tee "$errlog" >&2; } 3>&1
	rc=${PIPESTATUS[0]}
	case $rc in
	0) passed=$((passed + 1)); echo "--- PASS $name" ;;
	77)
		why=$(grep -m 1 '^skip: ' "$errlog")
		if [[ -n $why ]]; then
			skipped=$((skipped + 1)); skipped_names+=("$name (${why#skip: })")
			echo "--- SKIP $name"
		else
			failed=$((failed + 1)); failed_names+=("$name (exit 77: a skip that does not say why on stderr)")
			echo "--- FAIL $name (exit 77 without a 'skip: WHY' line on stderr)"
		fi
		;;
	*) failed=$((failed + 1)); failed_names+=("$name"); echo "--- FAIL $name (exit $rc)" ;;
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
