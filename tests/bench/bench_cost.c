/* SPDX-License-Identifier: MIT */
/*
 * Cost of the control tick (issue 11, `make bench` part 2): nanoseconds per
 * zone per tick of controller_tick (interpret every sample, the program
 * clock, the safety supervisor, the controller, the outputs) for 2 and 8
 * zones, over at least a million running ticks of sessions of the shipped
 * program on the simulated plant, back to back. Only controller_tick is
 * timed (CLOCK_MONOTONIC around each call, less the cost of the clock
 * reads themselves); the plant is not. The figure is the median over
 * batches of 1000 ticks, so that the machine's other work (a preempted
 * batch) does not count; the mean is in the JSON beside it.
 *
 *   bench_cost [--ticks N]     one JSON line per zone count
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/controller.h"
#include "daemon/config_parse.h"
#include "sim/hw_sim.h"

#define BATCH_TICKS 1000

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* What a pair of clock reads costs, the least of many tries. */
static double clock_overhead_ns(void)
{
	double best = INFINITY;

	for (int i = 0; i < 200000; i++) {
		double a = now_ns(), b = now_ns();

		if (b - a < best)
			best = b - a;
	}
	return best;
}

static void widen(struct config *cfg, int n_zones)
{
	for (int z = cfg->n_zones; z < n_zones; z++) {
		cfg->zones[z] = cfg->zones[z % 2];
		snprintf(cfg->zones[z].name, sizeof(cfg->zones[z].name), "zone%d", z);
	}
	cfg->n_zones = n_zones;
}

static void measure(const struct config *base, int n_zones, long want_ticks, double overhead_ns)
{
	static struct config cfg;
	static struct hw_sim sim;
	static struct controller ctl;
	double dt_s = 1.0 / base->daemon.control_hz;
	double total_ns = 0.0;
	long running = 0, sessions = 0, refused = 0, faults = 0;
	double worst_ns = 0.0, batch_ns = 0.0;
	static double batches[100000];
	long n_batches = 0, in_batch = 0;

	cfg = *base;
	widen(&cfg, n_zones);
	hw_sim_init(&sim, &cfg, 1);
	controller_init(&ctl, &cfg);
	for (long k = 0; running < want_ticks; k++) {
		double now_s = k * dt_s;
		struct tick_inputs in;
		struct tick_outputs out;
		struct tick_events ev;
		bool was_running = ctl.state == SESSION_RUNNING;

		hw_sim_advance(&sim, now_s);
		memset(&in, 0, sizeof(in));
		in.loop_gap_s = dt_s;
		hw_sim_hw(&sim).ops->read(&sim, now_s, &in);

		double t0 = now_ns();

		controller_tick(&ctl, now_s, &in, &out, &ev);
		double t1 = now_ns();

		if (was_running) {
			double ns = t1 - t0 - overhead_ns;

			total_ns += ns;
			batch_ns += ns;
			running++;
			if (++in_batch == BATCH_TICKS && n_batches < (long)(sizeof(batches) / sizeof(batches[0]))) {
				batches[n_batches++] = batch_ns / BATCH_TICKS / n_zones;
				batch_ns = 0.0;
				in_batch = 0;
			}
			if (ns > worst_ns)
				worst_ns = ns;
		}
		/* Through the simulated bridge, as the daemon's shell does: the plant is driven edge by edge. */
		int failed_zone = -1;

		if (hw_sim_hw(&sim).ops->apply(&sim, now_s, &out, &failed_zone) < 0) {
			fprintf(stderr, "bench_cost: the simulated hardware refused the outputs\n");
			exit(2);
		}
		if (ctl.state == SESSION_FAULT) {
			faults++;
			char what[256];

			safety_describe(safety_latched_fault(&ctl.safety), NULL, what, sizeof(what));
			fprintf(stderr, "bench_cost: a safety fault in a %d-zone session: %s\n", n_zones, what);
			exit(2);
		}
		if (ctl.state != SESSION_RUNNING) {
			char why[256];

			if (controller_start(&ctl, NULL, now_s, why, sizeof(why)) == 0)
				sessions++;
			else
				refused++;
		}
	}
	qsort(batches, (size_t)n_batches, sizeof(double), cmp_double);
	double median = n_batches ? batches[n_batches / 2] : total_ns / running / n_zones;

	printf("{\"type\":\"cost\",\"figure\":\"controller_tick, %d zones, ns per zone per tick (median of 1000-tick batches)\","
	       "\"zones\":%d,\"ticks\":%ld,\"sessions\":%ld,\"value\":%.1f,\"text\":\"%.0f ns\","
	       "\"mean_ns\":%.1f,\"per_tick_ns\":%.1f,\"worst_tick_ns\":%.0f,\"clock_overhead_ns\":%.1f,"
	       "\"goal\":\"-\"}\n",
	       n_zones, n_zones, running, sessions, median, median, total_ns / running / n_zones,
	       median * n_zones, worst_ns, overhead_ns);
	fflush(stdout);
	(void)refused;
}

int main(int argc, char **argv)
{
	static struct config cfg;
	struct config_error err;
	long ticks = 1000000;
	int opt;

	while ((opt = getopt(argc, argv, "t:")) != -1) {
		if (opt == 't')
			ticks = atol(optarg);
		else {
			fprintf(stderr, "usage: bench_cost [-t TICKS]\n");
			return 2;
		}
	}
	if (config_load("config/contrastd.conf", &cfg, &err) < 0) {
		fprintf(stderr, "bench_cost: %s\n", err.msg);
		return 2;
	}
	double overhead_ns = clock_overhead_ns();

	measure(&cfg, 2, ticks, overhead_ns);
	measure(&cfg, 8, ticks, overhead_ns);
	return 0;
}
