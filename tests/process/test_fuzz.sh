#!/usr/bin/env bash
# The fuzzers for a bounded time (FUZZ_SECONDS, default 20 each): the
# config parser and the control protocol parser (tests/fuzz/). make check
# builds them when clang with libFuzzer is installed; without it this test
# says which fuzzers it skipped and why.
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
targets=(fuzz_config fuzz_control)
if ! why=$(bash tests/fuzz/have_libfuzzer.sh); then
	echo "skip: ${targets[*]} not run: $why"
	exit 77
fi
bins=()
for t in "${targets[@]}"; do
	if [[ ! -x $BUILD/fuzz/$t ]]; then
		echo "FAIL: $BUILD/fuzz/$t is not built (make fuzz-build; libFuzzer: libclang-rt-14-dev)"
		exit 1
	fi
	bins+=("$BUILD/fuzz/$t")
done
FUZZ_SECONDS=${FUZZ_SECONDS:-20} BUILD=$BUILD bash tests/fuzz/run.sh "${bins[@]}"
