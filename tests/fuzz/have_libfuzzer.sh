#!/usr/bin/env bash
# Exit 0 when ${FUZZ_CC:-clang} can build a libFuzzer target here, else 1
# with the reason on stdout (what to install on Debian).
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null 2>&1; then
	echo "no $cc (Debian: apt-get install clang libclang-rt-14-dev)"
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <stddef.h>\n#include <stdint.h>\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);\nint LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }\n' >"$tmp/t.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$tmp/t.c" -o "$tmp/t" >"$tmp/err" 2>&1; then
	echo "$cc cannot link a libFuzzer target (Debian: apt-get install libclang-rt-14-dev): $(head -n 1 "$tmp/err")"
	exit 1
fi
exit 0
