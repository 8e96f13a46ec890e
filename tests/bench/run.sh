#!/usr/bin/env bash
# Benchmarks: figures, side by side with their baselines. Not a test: it
# reports, it does not fail on a slow machine.
#   simulated session flat out   baseline: well under 1 s for a 30-minute session (issue 2)
#   peak memory of the daemon    baseline: the daemon allocates nothing after start
set -u
CONTRASTD=${CONTRASTD:-build/contrastd}
conf=config/contrastd.conf
runs=${BENCH_RUNS:-10}

best_ms=999999 total_ms=0
for ((i = 0; i < runs; i++)); do
	start=$(date +%s%N)
	"$CONTRASTD" -c $conf --simulate --speed 0 --seed $((i + 1)) --start >/tmp/contrastd-bench.$$ 2>/dev/null
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	total_ms=$((total_ms + ms))
	((ms < best_ms)) && best_ms=$ms
done
sim_s=$(python3 -c 'import json,sys; print([json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")][-1]["duration_s"])' /tmp/contrastd-bench.$$)
rm -f /tmp/contrastd-bench.$$
per30_ms=$(python3 -c "print(round($best_ms * 1800 / $sim_s, 1))")

# Peak resident memory of a short and of a long session: the same figure
# means nothing grows with the session (nothing is allocated after start).
peak_kib() {
	python3 -c 'import resource,subprocess,sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@"
}
rss_short=$(peak_kib "$CONTRASTD" -c $conf --simulate --speed 0 --start short)
rss_long=$(peak_kib "$CONTRASTD" -c $conf --simulate --speed 0 --start)

printf '%-44s %-18s %s\n' "benchmark" "figure" "baseline"
printf '%-44s %-18s %s\n' "example session ($sim_s simulated s), best of $runs" "${best_ms} ms" "-"
printf '%-44s %-18s %s\n' "scaled to a 30-minute session" "${per30_ms} ms" "< 1000 ms"
printf '%-44s %-18s %s\n' "mean of $runs runs" "$((total_ms / runs)) ms" "-"
printf '%-44s %-18s %s\n' "peak memory, short program (344 s)" "${rss_short} KiB" "-"
printf '%-44s %-18s %s\n' "peak memory, example program ($sim_s s)" "${rss_long} KiB" "about the same: nothing grows with the session"
