#!/usr/bin/env bash
# Runs every test given (cmocka binaries and process-test scripts), each in
# its own process, prints its output, and closes with one line:
#   check: N passed, N failed
# A test that exits 77 is counted as skipped (it says why itself).
set -u
passed=0 failed=0 skipped=0
failed_names=()
for t in "$@"; do
	name=${t#./}
	echo "=== $name"
	if [[ $t == *.sh ]]; then
		bash "$t"
	else
		"$t"
	fi
	rc=$?
	case $rc in
	0) passed=$((passed + 1)); echo "--- PASS $name" ;;
	77) skipped=$((skipped + 1)); echo "--- SKIP $name" ;;
	*) failed=$((failed + 1)); failed_names+=("$name"); echo "--- FAIL $name (exit $rc)" ;;
	esac
done
echo
if ((failed > 0)); then
	printf 'failed: %s\n' "${failed_names[@]}"
fi
echo "check: $passed passed, $failed failed, $skipped skipped"
((failed == 0))
