#!/usr/bin/env bash
# Runs each libFuzzer target given for FUZZ_SECONDS (default 20) on its
# seed corpus (tests/fuzz/NAME/, read only) and a working corpus under
# $BUILD/fuzz/corpus-NAME (what the runs found, kept between runs).
# Exits non-zero when a target finds a crash, a leak, a sanitizer report
# or a timeout; the reproducer is left in $BUILD/fuzz/ and named.
set -u
seconds=${FUZZ_SECONDS:-20}
build=${BUILD:-build}
rc=0
for t in "$@"; do
	name=$(basename "$t")
	short=${name#fuzz_}
	seeds=tests/fuzz/$short
	corpus=$build/fuzz/corpus-$short
	log=$build/fuzz/$name.log
	mkdir -p "$corpus"
	echo "fuzz: $name for $seconds s (seeds $seeds, corpus $corpus)"
	"$t" -max_total_time="$seconds" -max_len=8192 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz/$name-" "$corpus" "$seeds" >"$log" 2>&1
	r=$?
	runs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$')
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
	if ((r != 0)); then
		echo "fuzz: $name FAILED (exit $r); the end of $log:"
		tail -n 30 "$log" | sed 's/^/    /'
		rc=1
	else
		echo "fuzz: $name ok: ${runs:-?} runs, ${cov:-cov: ?}, no crash"
	fi
done
exit $rc
