/* SPDX-License-Identifier: MIT */
/*
 * The check-kernel guest's instruments, one static binary
 * (tests/kernel/scenarios.sh says how each is used):
 *
 *   ktool now
 *       CLOCK_MONOTONIC in seconds, the clock the daemon and the log share.
 *   ktool info DEV OFFSET...
 *       what the kernel says of each line (GPIO v2 uAPI line info), one
 *       line each: "OFFSET used=1 consumer=contrastd output=1".
 *   ktool hold DEV OFFSET CONSUMER
 *       request the line as an input under that label and keep it until
 *       killed: another program holding a line contrastd wants.
 *   ktool watch LOG SIMDIR DEV OFFSET...
 *       sample each line's value (gpio-sim's sim_gpioN/value: what is
 *       driven, or the pull of a released line) and whether it is
 *       requested, every WATCH_PERIOD_US, and append a line to LOG at
 *       every change: "T VALUES USED TPREV" ("12.345678 0100 1111
 *       12.341234": it changed after TPREV, the sample before), until
 *       SIGTERM.
 *   ktool plant ADCDIR FORCEDIR SIMDIR POWER HEAT,COOL,ENABLE,FAN ...
 *       close the loop: the simulated plant (src/sim/sim_plant.c) driven
 *       by what the lines carry, its sensors written as raw counts into
 *       the fake ti-ads1015 tree in ADCDIR (pad of zone z on voltage 2z,
 *       heatsink on 2z+1) every PLANT_STEP_US. A file FORCEDIR/padZ
 *       holding a temperature makes zone Z's pad read that instead (the
 *       time it is first written goes to FORCEDIR/log). -1: no line.
 *   ktool tree ADCDIR SCALE_MV RATE_SPS
 *       write a fake ti-ads1015 device (tests/hw/ads1015_tree.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/gpio.h>
#include "core/thermistor.h"
#include "hw/ads1015_tree.h"
#include "sim/sim_plant.h"

#define WATCH_PERIOD_US 500
#define PLANT_STEP_US   10000
#define MAX_WATCH       32

/* The reference divider of config/contrastd.conf's [thermistor], which the guest's config keeps. */
static const struct thermistor_params ntc = {
	.beta = 3950.0, .r25_ohm = 10000.0, .series_ohm = 10000.0, .supply_mv = 3300.0,
	.ntc_to = NTC_TO_GROUND,
};

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	nanosleep(&ts, NULL);
}

static void die(const char *what)
{
	fprintf(stderr, "ktool: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int open_chip(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		die(dev);
	return fd;
}

static int line_info(int chip, unsigned int offset, struct gpio_v2_line_info *info)
{
	memset(info, 0, sizeof(*info));
	info->offset = offset;
	return ioctl(chip, GPIO_V2_GET_LINEINFO_IOCTL, info);
}

static int cmd_info(int argc, char **argv)
{
	int chip = open_chip(argv[0]);
	struct gpio_v2_line_info info;

	for (int i = 1; i < argc; i++) {
		if (line_info(chip, (unsigned int)atoi(argv[i]), &info) < 0)
			die("GPIO_V2_GET_LINEINFO_IOCTL");
		printf("%s used=%d consumer=%s output=%d\n", argv[i], !!(info.flags & GPIO_V2_LINE_FLAG_USED),
		       info.consumer[0] ? info.consumer : "-", !!(info.flags & GPIO_V2_LINE_FLAG_OUTPUT));
	}
	return 0;
}

static int cmd_hold(char **argv)
{
	int chip = open_chip(argv[0]);
	struct gpio_v2_line_request req;

	memset(&req, 0, sizeof(req));
	req.offsets[0] = (unsigned int)atoi(argv[1]);
	req.num_lines = 1;
	req.config.flags = GPIO_V2_LINE_FLAG_INPUT;
	snprintf(req.consumer, sizeof(req.consumer), "%s", argv[2]);
	if (ioctl(chip, GPIO_V2_GET_LINE_IOCTL, &req) < 0)
		die("GPIO_V2_GET_LINE_IOCTL");
	printf("holding line %u as \"%s\"\n", req.offsets[0], req.consumer);
	fflush(stdout);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	while (!stop)
		pause();
	return 0;
}

/* One sim_gpioN/value, kept open and re-read from the start. */
static int open_value(const char *simdir, int offset)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/sim_gpio%d/value", simdir, offset);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	return fd;
}

static int read_value(int fd)
{
	char c;

	if (pread(fd, &c, 1, 0) != 1)
		return -1;
	return c == '1';
}

/* One pass over the lines: their values, a space, whether each is held. */
static void read_pass(int chip, const int *fds, const unsigned int *offsets, int n, char *cur)
{
	struct gpio_v2_line_info info;

	for (int i = 0; i < n; i++) {
		int v = read_value(fds[i]);

		cur[i] = v < 0 ? '?' : (char)('0' + v);
		cur[n + 1 + i] = line_info(chip, offsets[i], &info) < 0 ? '?' :
			(info.flags & GPIO_V2_LINE_FLAG_USED) ? '1' : '0';
	}
	cur[n] = ' ';
	cur[2 * n + 1] = '\0';
}

static int cmd_watch(int argc, char **argv)
{
	const char *log = argv[0], *simdir = argv[1];
	int chip = open_chip(argv[2]);
	int n = argc - 3, fds[MAX_WATCH];
	unsigned int offsets[MAX_WATCH];
	char last[2 * MAX_WATCH + 2] = "", cur[2 * MAX_WATCH + 2];
	FILE *out = fopen(log, "w");

	if (!out)
		die(log);
	if (n < 1 || n > MAX_WATCH) {
		fprintf(stderr, "ktool watch: 1 to %d lines\n", MAX_WATCH);
		return 1;
	}
	for (int i = 0; i < n; i++) {
		offsets[i] = (unsigned int)atoi(argv[3 + i]);
		fds[i] = open_value(simdir, (int)offsets[i]);
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	long samples = 0, retries = 0;
	double t_start = now_s(), t_prev = t_start;

	while (!stop) {
		char again[2 * MAX_WATCH + 2];
		double t;
		int tries = 0;

		/*
		 * The lines are read one after another; two passes that agree are
		 * one state of them all (a line would have to change twice between
		 * its two reads, each change a dead time apart, to fool it).
		 */
		read_pass(chip, fds, offsets, n, cur);
		do {
			t = now_s();
			memcpy(again, cur, sizeof(again));
			read_pass(chip, fds, offsets, n, cur);
		} while (strcmp(cur, again) != 0 && ++tries < 100);
		retries += tries;
		samples++;
		if (strcmp(cur, last) != 0) {
			/* The change happened after the sample before: t_prev < change <= t. */
			fprintf(out, "%.6f %s %.6f\n", t, cur, t_prev);
			fflush(out);
			memcpy(last, cur, sizeof(cur));
		}
		t_prev = t;
		sleep_us(WATCH_PERIOD_US);
	}
	double t_end = now_s();

	fprintf(out, "%.6f end: %ld samples in %.1f s (every %.2f ms), %ld passes repeated\n", t_end, samples,
		t_end - t_start, samples ? (t_end - t_start) * 1e3 / (double)samples : 0.0, retries);
	fclose(out);
	return 0;
}

/*
 * A raw count into its file in place, fixed width ("%5ld\n", as the tree
 * was made): one small write at offset 0 that a reader sees whole, never a
 * truncated or renamed file (libiio opens the file for every read, and
 * scans the device's directory when a context is made).
 */
static void put_raw(int fd, long raw)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%5ld\n", raw < 0 ? 0 : raw > 99999 ? 99999 : raw);

	if (pwrite(fd, buf, (size_t)len, 0) != len)
		die("writing a raw value");
}

struct zone_lines {
	int heat, cool, enable, fan;    /* sim value fds, -1 none */
};

static int opt_fd(const char *simdir, int offset)
{
	return offset < 0 ? -1 : open_value(simdir, offset);
}

/* The Peltier's drive now, as the bridge's inputs say: +1 heats, -1 cools, 0 off (or both: a short). */
static double zone_drive(const struct zone_lines *z, bool power)
{
	int heat = read_value(z->heat) == 1, cool = read_value(z->cool) == 1;
	int en = z->enable < 0 ? 1 : read_value(z->enable) == 1;

	if (!power || !en || heat == cool)
		return 0.0;
	return heat ? 1.0 : -1.0;
}

static bool forced_c(const char *forcedir, int z, double *c)
{
	char path[512];
	FILE *f;
	bool ok;

	snprintf(path, sizeof(path), "%s/pad%d", forcedir, z);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fscanf(f, "%lf", c) == 1;
	fclose(f);
	return ok;
}

static int cmd_plant(int argc, char **argv)
{
	const char *adcdir = argv[0], *forcedir = argv[1], *simdir = argv[2];
	int power = atoi(argv[3]), n_zones = argc - 4;
	struct zone_lines zl[MAX_ZONES];
	struct sim_plant plant;
	bool was_forced[MAX_ZONES] = { false };
	char logpath[512];

	if (n_zones < 1 || n_zones > MAX_ZONES) {
		fprintf(stderr, "ktool plant: 1 to %d zones\n", MAX_ZONES);
		return 1;
	}
	for (int z = 0; z < n_zones; z++) {
		int h, c, e, f;

		if (sscanf(argv[4 + z], "%d,%d,%d,%d", &h, &c, &e, &f) != 4) {
			fprintf(stderr, "ktool plant: %s: expected HEAT,COOL,ENABLE,FAN\n", argv[4 + z]);
			return 1;
		}
		zl[z] = (struct zone_lines){ opt_fd(simdir, h), opt_fd(simdir, c), opt_fd(simdir, e), opt_fd(simdir, f) };
	}
	int power_fd = opt_fd(simdir, power);

	int raw_fd[2 * MAX_ZONES];

	for (int i = 0; i < 2 * n_zones; i++) {
		char path[512];

		snprintf(path, sizeof(path), "%s/in_voltage%d_raw", adcdir, i);
		raw_fd[i] = open(path, O_WRONLY | O_CLOEXEC);
		if (raw_fd[i] < 0)
			die(path);
	}
	snprintf(logpath, sizeof(logpath), "%s/log", forcedir);
	sim_plant_init(&plant, n_zones, &ntc, 1);
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	double last = now_s();

	while (!stop) {
		double duty[MAX_ZONES] = { 0 }, t = now_s();
		bool fan[MAX_ZONES] = { false };
		bool on = power_fd < 0 || read_value(power_fd) == 1;

		for (int z = 0; z < n_zones; z++) {
			duty[z] = zone_drive(&zl[z], on);
			fan[z] = zl[z].fan >= 0 && read_value(zl[z].fan) == 1;
		}
		sim_plant_step(&plant, duty, fan, on, t - last);
		last = t;
		for (int z = 0; z < n_zones; z++) {
			struct sensor_sample pad, pad2, sink;
			double c;
			long raw;

			sim_plant_sample(&plant, z, &pad, &pad2, &sink);
			raw = (long)pad.raw;
			if (forced_c(forcedir, z, &c)) {
				raw = lround(thermistor_ohm_to_mv(&ntc, thermistor_c_to_ohm(&ntc, c)) / SIM_ADC_LSB_MV);
				if (!was_forced[z]) {
					FILE *f = fopen(logpath, "a");

					/* Written first: the reading is there from the logged time on. */
					put_raw(raw_fd[2 * z], raw);
					if (f) {
						fprintf(f, "%.6f forced pad%d %.2f C\n", now_s(), z, c);
						fclose(f);
					}
				}
				was_forced[z] = true;
			} else {
				was_forced[z] = false;
			}
			put_raw(raw_fd[2 * z], raw);
			put_raw(raw_fd[2 * z + 1], (long)sink.raw);
		}
		sleep_us(PLANT_STEP_US);
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "now") == 0) {
		printf("%.6f\n", now_s());
		return 0;
	}
	if (argc >= 4 && strcmp(argv[1], "info") == 0)
		return cmd_info(argc - 2, argv + 2);
	if (argc == 5 && strcmp(argv[1], "hold") == 0)
		return cmd_hold(argv + 2);
	if (argc >= 6 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc - 2, argv + 2);
	if (argc >= 7 && strcmp(argv[1], "plant") == 0)
		return cmd_plant(argc - 2, argv + 2);
	if (argc == 5 && strcmp(argv[1], "tree") == 0) {
		tree_ads1015(argv[2], atof(argv[3]), atoi(argv[4]), 13200);
		return 0;
	}
	fprintf(stderr, "usage: ktool now | info DEV OFFSET... | hold DEV OFFSET CONSUMER |\n"
		"       watch LOG SIMDIR DEV OFFSET... | plant ADCDIR FORCEDIR SIMDIR POWER H,C,E,F... |\n"
		"       tree ADCDIR SCALE_MV RATE_SPS\n");
	return 2;
}
