/* SPDX-License-Identifier: MIT */
/*
 * The real hardware adapter (src/hw/hw_real.c: its PWM timerfd, its
 * button fd, its sensor reader thread, the real libiio) in a real event
 * loop, against an ADC as slow as an ADS1115 at 128 SPS: every read of a
 * raw value blocks 17 ms in the read system call, as the ti-ads1015
 * driver does when it switches input. The GPIO lines are
 * tests/hw/fake_gpio_lines.c, which stamps every write with
 * CLOCK_MONOTONIC.
 *
 * The slow reads need no FUSE: once libiio has scanned the fake sysfs
 * tree (it takes only regular files for attributes), each
 * in_voltageN_raw is replaced by a FIFO, and a server thread per FIFO
 * answers each open after the delay; libiio opens the attribute's path
 * at every read. Run by tests/process/test_read_timing.sh in a private mount
 * namespace with a tmpfs on /sys/bus (it refuses to run elsewhere).
 *
 * Scenarios, each printing "ok ..." or "FAIL ...":
 *  - pwm: 10 Hz ticks read four sensors (68 ms of reads in each 100 ms)
 *    and apply duties; the PWM edges of both bridges are within
 *    EDGE_TOLERANCE_S of their schedule (the grid of pwm_period_s), and
 *    the button presses are reported within it of their release plus the
 *    debounce; every tick had fresh samples, each taken at most
 *    SAMPLE_MAX_AGE_S before the tick that used it (the pass is asked for
 *    a lead before its tick, not at the tick before: a reading reaches the
 *    supervisor within a control period).
 *
 * Within EDGE_TOLERANCE_S means: all of them but at most one in a hundred
 * (and one), and none beyond SCHEDULER_NOISE_S. The loop never waits for
 * a read, so its own latency is a fraction of a millisecond; but on a
 * shared machine (a loaded VM, other builds on both cores) the kernel now
 * and then wakes even a SCHED_FIFO thread a few milliseconds late, which
 * no design in user space removes. So the timing scenarios get up to
 * ATTEMPTS runs, and pass on the first whose every check holds: a busy
 * machine's scheduler misses now and then, a blocked loop misses every
 * time (the blocking control is late by tens of milliseconds at most
 * edges, run after run).
 *  - late: one read takes 150 ms: the ticks whose pass is not complete
 *    have every sensor failed (ok = false, NaN); the late pass's values
 *    are never used (each read returns a new raw value, so a value seen
 *    twice would be an old one used as new); the samples come back;
 *    the edges still keep their schedule.
 *  - blocking: the control, proving the measurement can fail: the same
 *    ticks with the four reads done in the loop, as before the reader
 *    thread, make the edges late by more than BLOCKING_MIN_LATE_S.
 *  - budget: control_hz = 20 with four channels at 128 SPS is refused at
 *    start, saying what to change.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include "daemon/config_parse.h"
#include "hw/hw.h"
#include "hw/hw_real.h"
#include "hw/iio_sensors.h"
#include "lib/loop.h"
#include "ads1015_tree.h"
#include "fake_gpio_lines.h"

#define DEVICES "/sys/bus/iio/devices"
#define ADS DEVICES "/iio:device0"
#define N_CHANNELS 8            /* voltage0..3: the daemon's; 4..7: the blocking control's */
#define READ_DELAY_US 17000     /* one read at 128 SPS with a switch of input */
#define SLOW_READ_US 150000     /* the late scenario's one slow read */
#define SLOW_RAW 12345          /* what the slow read returns: must never be used */
/*
 * The oldest a sample may be at the tick that uses it: the lead's cap
 * (HW_REAL_READ_BUDGET of the 100 ms period). A pass asked for at the tick
 * before would give the first channel 100 - 17 = 83 ms.
 */
#define SAMPLE_MAX_AGE_S 0.080
#define RAW_RING 1024           /* when each raw value was served, by value */
#define EDGE_TOLERANCE_S 0.002
#define SCHEDULER_NOISE_S 0.010
#define BLOCKING_MIN_LATE_S 0.010
#define PERIOD_S 0.13           /* pwm_period_s: not a multiple of the tick, so edges meet every phase of it */
#define DEBOUNCE_S 0.030

enum { L_HEAT = 17, L_EN = 22, R_COOL = 24, R_EN = 25, BUTTON = 26 };

static const char config_fmt[] =
	"[daemon]\n"
	"control_hz = %g\n"
	"pwm_period_s = 0.13\n"
	"dead_time_ms = 200\n"
	"[button]\n"
	"line = GPIO26\n"
	"active_low = yes\n"
	"debounce_ms = 30\n"
	"[zone left]\n"
	"heat = GPIO17\ncool = GPIO27\nenable = GPIO22\nfan = GPIO5\n"
	"pad_sensor = ads1015/voltage0\nheatsink_sensor = ads1015/voltage1\n"
	"[zone right]\n"
	"heat = GPIO23\ncool = GPIO24\nenable = GPIO25\nfan = GPIO6\n"
	"pad_sensor = ads1015/voltage2\nheatsink_sensor = ads1015/voltage3\n"
	"[safety]\n"
	"power = GPIO16\n";

#define ATTEMPTS 3

static int failures;
/* A timing scenario's attempt that may be repeated: a missed check is counted here, not failed. */
static bool soft;
static int misses;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "ok  " : soft ? "miss" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok && soft)
		misses++;
	else if (!ok)
		failures++;
}

/* Run a timing scenario until every check of an attempt holds, ATTEMPTS at most. */
static void with_attempts(const char *name, void (*scenario)(void))
{
	for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
		soft = attempt < ATTEMPTS;
		misses = 0;
		scenario();
		if (misses == 0)
			break;
		printf("note %s: %d check(s) missed on attempt %d of %d: again\n", name, misses, attempt, ATTEMPTS);
	}
	soft = false;
}

static void die(const char *what)
{
	fprintf(stderr, "read_timing: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* --- The slow ADC: a FIFO per raw value and a thread answering it ---------------- */

struct server {
	int channel;
	char path[128];
	pthread_t thread;
	atomic_int next_raw;            /* each read returns a new value */
	atomic_int slow_once_us;        /* the next read takes this long and returns SLOW_RAW */
	atomic_bool exited;
	int first_raw;
	_Atomic double served_at_s[RAW_RING];   /* by (raw - first_raw) % RAW_RING */
	/* Written by the server thread, read after it has exited. */
	int reads;
	double min_read_s, max_read_s;
};

static struct server servers[N_CHANNELS];
static atomic_bool stopping;

static void sleep_s(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - floor(s)) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Put a fresh FIFO at the server's path, atomically. */
static void new_fifo(const struct server *sv)
{
	char next[160];

	snprintf(next, sizeof(next), "%s.next", sv->path);
	if (mkfifo(next, 0644) < 0 || rename(next, sv->path) < 0)
		die(next);
}

static void *serve(void *arg)
{
	struct server *sv = arg;

	for (;;) {
		/* Blocks until a reader opens the FIFO, as a read blocks in the driver. */
		int fd = open(sv->path, O_WRONLY | O_CLOEXEC);

		if (fd < 0) {
			if (errno == EINTR)
				continue;
			die(sv->path);
		}
		if (atomic_load(&stopping)) {
			close(fd);
			break;
		}
		double t0 = monotonic_s();
		int slow_us = atomic_exchange(&sv->slow_once_us, 0);
		int raw;

		if (slow_us) {
			sleep_s(slow_us * 1e-6);
			raw = SLOW_RAW;
		} else {
			sleep_s(READ_DELAY_US * 1e-6);
			raw = atomic_fetch_add(&sv->next_raw, 1);
		}
		if (raw != SLOW_RAW)
			atomic_store(&sv->served_at_s[(raw - sv->first_raw) % RAW_RING], monotonic_s());
		if (dprintf(fd, "%d\n", raw) < 0)
			fprintf(stderr, "read_timing: %s: the reader went before the value came: %s\n", sv->path,
				strerror(errno));
		/*
		 * A new FIFO for the next read: this reader still holds the old one
		 * until it sees the end, and must not meet the next value there.
		 */
		new_fifo(sv);
		close(fd);
		double took_s = monotonic_s() - t0;

		if (!slow_us) {
			if (sv->reads == 0 || took_s < sv->min_read_s)
				sv->min_read_s = took_s;
			if (took_s > sv->max_read_s)
				sv->max_read_s = took_s;
			sv->reads++;
		}
	}
	atomic_store(&sv->exited, true);
	return NULL;
}

static void build_tree(void)
{
	tree_ads1015_on_sys("read_timing", 128, 13200);
	/* voltage4..7, which no ADS1115 has: the blocking control's own channels. */
	for (int i = 4; i < N_CHANNELS; i++) {
		char f[64];

		snprintf(f, sizeof(f), "in_voltage%d_scale", i);
		tree_put(ADS, f, "%.9f", ADS1015_SCALE_4096_MV);
		snprintf(f, sizeof(f), "in_voltage%d_sampling_frequency", i);
		tree_put(ADS, f, "128");
		snprintf(f, sizeof(f), "in_voltage%d_raw", i);
		tree_put(ADS, f, "13200");
	}
	for (int i = 0; i < N_CHANNELS; i++) {
		snprintf(servers[i].path, sizeof(servers[i].path), ADS "/in_voltage%d_raw", i);
		servers[i].channel = i;
		atomic_init(&servers[i].next_raw, 13000 + 1000 * i);
		servers[i].first_raw = 13000 + 1000 * i;
		atomic_init(&servers[i].slow_once_us, 0);
	}
}

/* After libiio's scan: the raw values become FIFOs, served slowly. */
static void slow_adc_on(void)
{
	atomic_store(&stopping, false);
	for (int i = 0; i < N_CHANNELS; i++) {
		new_fifo(&servers[i]);
		atomic_store(&servers[i].exited, false);
		if (pthread_create(&servers[i].thread, NULL, serve, &servers[i]) != 0)
			die("pthread_create");
	}
}

/* Regular files again, for the next scan. Only once nothing reads any more. */
static void slow_adc_off(void)
{
	atomic_store(&stopping, true);
	for (int i = 0; i < N_CHANNELS; i++) {
		/* A reader that opens and goes: the server's open returns and it sees `stopping`. */
		while (!atomic_load(&servers[i].exited)) {
			int fd = open(servers[i].path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

			sleep_s(0.001);
			if (fd >= 0)
				close(fd);
		}
		pthread_join(servers[i].thread, NULL);
		if (unlink(servers[i].path) < 0)
			die(servers[i].path);
		char f[64];

		snprintf(f, sizeof(f), "in_voltage%d_raw", i);
		tree_put(ADS, f, "13200");
	}
}

/* --- The run: a loop with 10 Hz ticks, as the daemon's ------------------------------ */

#define MAX_TICKS 100
#define MAX_PRESSES 16

struct run {
	struct hw hw;
	struct loop loop;
	int tick_fd;
	int ticks, max_ticks;
	struct sensor_sample samples[MAX_TICKS][4];
	double tick_at_s[MAX_TICKS];    /* when each tick read */
	int slow_at_tick;               /* the late scenario: ask for the slow read at this tick (-1: never) */
	struct iio_sensors *in_loop;    /* the blocking control: read these in the tick, as before */
	int first_write;                /* fake_gpio_writes index at the start */
	double end_s;                   /* the last tick: later writes are close()'s */
	/* The button: presses made by the injector thread, presses reported by the hardware. */
	pthread_t injector;
	int n_released;
	double released_at_s[MAX_PRESSES];
	int n_reported;
	double reported_at_s[MAX_PRESSES];
	enum button_event reported[MAX_PRESSES];
};

static void on_press(void *arg, enum button_event ev, double now_s)
{
	struct run *r = arg;

	(void)now_s;
	if (r->n_reported < MAX_PRESSES) {
		r->reported[r->n_reported] = ev;
		r->reported_at_s[r->n_reported++] = monotonic_s();
	}
}

/* Presses of 250 ms every 700 ms from 0.5 s on, from a thread of their own, like a hand; all before the end. */
static void *inject_presses(void *arg)
{
	struct run *r = arg;
	double start_s = monotonic_s();
	int n = (int)((r->max_ticks / 10.0 - 1.0) / 0.7);

	for (int i = 0; i < n && i < MAX_PRESSES; i++) {
		double at_s = start_s + 0.5 + 0.7 * i;

		sleep_s(fmax(0.0, at_s - monotonic_s()));
		fake_gpio_edge(true);
		sleep_s(fmax(0.0, at_s + 0.25 - monotonic_s()));
		r->released_at_s[i] = monotonic_s();
		fake_gpio_edge(false);
		r->n_released = i + 1;
	}
	return NULL;
}

static void on_tick(int fd, uint32_t events, void *arg)
{
	struct run *r = arg;
	struct tick_inputs in;
	struct tick_outputs out;
	int failed_zone;

	(void)events;
	timer_read(fd);
	memset(&in, 0, sizeof(in));
	r->hw.ops->read(r->hw.ctx, 0.0, &in);
	struct sensor_sample *s = r->samples[r->ticks];

	r->tick_at_s[r->ticks] = monotonic_s();

	s[0] = in.pad[0];
	s[1] = in.heatsink[0];
	s[2] = in.pad[1];
	s[3] = in.heatsink[1];
	if (r->ticks == r->slow_at_tick)
		atomic_store(&servers[3].slow_once_us, SLOW_READ_US);
	if (r->in_loop) {
		struct sensor_sample blocking[IIO_SENSORS_MAX];

		iio_sensors_read_all(r->in_loop, monotonic_s(), blocking);
	}
	memset(&out, 0, sizeof(out));
	out.power = true;
	out.duty[0] = 0.3;
	out.duty[1] = -0.6;
	out.fan[0] = out.fan[1] = true;
	if (r->hw.ops->apply(r->hw.ctx, 0.0, &out, &failed_zone) < 0)
		check(false, "apply failed (zone %d)", failed_zone);
	if (++r->ticks >= r->max_ticks) {
		r->end_s = monotonic_s();
		loop_quit(&r->loop, 0);
	}
}

static void load_config(struct config *cfg, double control_hz)
{
	char text[2048];
	struct config_error err;

	snprintf(text, sizeof(text), config_fmt, control_hz);
	if (config_parse_string(text, "read_timing.conf", cfg, &err) < 0) {
		fprintf(stderr, "read_timing: %s\n", err.msg);
		exit(1);
	}
}

static void run(struct run *r, int max_ticks)
{
	static struct config cfg;
	char err[1024];
	int n;

	load_config(&cfg, 10.0);
	fake_gpio_writes(&n);
	r->first_write = n;
	r->max_ticks = max_ticks;
	if (hw_real_open(&cfg, &r->hw, err, sizeof(err)) < 0) {
		fprintf(stderr, "read_timing: %s\n", err);
		exit(1);
	}
	slow_adc_on();
	struct hw_events ev = { .button = on_press, .arg = r };

	if (loop_init(&r->loop) < 0 || r->hw.ops->attach(r->hw.ctx, &r->loop, &ev) < 0)
		die("loop");
	r->tick_fd = timer_create_fd();
	if (r->tick_fd < 0 || timer_arm(r->tick_fd, 0.0, 0.1) < 0 ||
	    loop_add_fd(&r->loop, r->tick_fd, EPOLLIN, on_tick, r) < 0)
		die("tick timer");
	if (pthread_create(&r->injector, NULL, inject_presses, r) != 0)
		die("pthread_create");
	if (loop_run(&r->loop) < 0)
		die("loop_run");
	pthread_join(r->injector, NULL);
	loop_remove_fd(&r->loop, r->tick_fd);
	close(r->tick_fd);
	r->hw.ops->close(r->hw.ctx);
	loop_finalise(&r->loop);
	slow_adc_off();
}

/* Lateness statistics: how many, how many beyond EDGE_TOLERANCE_S, the worst. */
struct lateness {
	int n, over;
	double worst_s;
};

static void add_lateness(struct lateness *l, double late_s)
{
	l->n++;
	l->over += late_s > EDGE_TOLERANCE_S;
	l->worst_s = fmax(l->worst_s, late_s);
}

/* Within the tolerance but at most one in a hundred (and one), none beyond the scheduler's noise. */
static bool on_time(const struct lateness *l)
{
	return l->over <= (l->n + 99) / 100 && l->worst_s <= SCHEDULER_NOISE_S;
}

/*
 * Every edge of an enable line against its grid: rising at t0 + kP,
 * falling at t0 + kP + duty P. A timer never fires early, so the grid's
 * true phase is that of the earliest edge: each edge's lateness is its
 * offset from the grid less the smallest offset.
 */
static void edge_lateness(const struct run *r, unsigned int offset, double duty, struct lateness *l)
{
	int n_writes;
	const struct fake_gpio_write *w = fake_gpio_writes(&n_writes);
	double t0 = NAN, min_s = INFINITY;
	double off_s[FAKE_GPIO_MAX_WRITES / 4];
	int n = 0;

	for (int i = r->first_write; i < n_writes && w[i].t_s <= r->end_s; i++) {
		if (w[i].offset != offset)
			continue;
		if (isnan(t0) && !w[i].active)
			continue;
		if (isnan(t0))
			t0 = w[i].t_s;
		double phase_s = w[i].active ? 0.0 : duty * PERIOD_S;
		double k = round((w[i].t_s - t0 - phase_s) / PERIOD_S);

		if (n < (int)(sizeof(off_s) / sizeof(off_s[0]))) {
			off_s[n] = w[i].t_s - (t0 + k * PERIOD_S + phase_s);
			min_s = fmin(min_s, off_s[n++]);
		}
	}
	for (int i = 0; i < n; i++)
		add_lateness(l, off_s[i] - min_s);
}

static void check_edges(const struct run *r, const char *scenario, bool want_late)
{
	struct lateness l = { 0 };

	edge_lateness(r, L_EN, 0.3, &l);
	edge_lateness(r, R_EN, 0.6, &l);
	if (want_late)
		/* Two edges a period, less the pulses a blocked loop lost. */
		check(l.n >= r->max_ticks / 2 && l.over > l.n / 4 && l.worst_s > BLOCKING_MIN_LATE_S,
		      "%s: %d of %d PWM edges more than %.0f ms late, the latest %.2f ms (the measurement sees a "
		      "blocked loop)", scenario, l.over, l.n, EDGE_TOLERANCE_S * 1e3, l.worst_s * 1e3);
	else
		check(l.n >= 2 * r->max_ticks && on_time(&l), "%s: %d of %d PWM edges more than %.0f ms off their "
		      "schedule, the latest %.2f ms", scenario, l.over, l.n, EDGE_TOLERANCE_S * 1e3, l.worst_s * 1e3);
}

static void check_presses(const struct run *r, const char *scenario)
{
	struct lateness l = { 0 };
	bool all_short = r->n_reported >= r->n_released;

	for (int i = 0; i < r->n_released && i < r->n_reported; i++) {
		add_lateness(&l, fabs(r->reported_at_s[i] - (r->released_at_s[i] + DEBOUNCE_S)));
		all_short = all_short && r->reported[i] == BUTTON_SHORT_PRESS;
	}
	check(r->n_released >= 3 && all_short && on_time(&l), "%s: %d of %d button presses reported, %d more than "
	      "%.0f ms after release + debounce, the latest %.2f ms", scenario, r->n_reported, r->n_released, l.over,
	      EDGE_TOLERANCE_S * 1e3, l.worst_s * 1e3);
}

static void check_reads_were_slow(const char *scenario)
{
	double min_s = INFINITY;
	int reads = 0;

	for (int i = 0; i < 4; i++) {
		reads += servers[i].reads;
		if (servers[i].reads)
			min_s = fmin(min_s, servers[i].min_read_s);
	}
	check(reads > 0 && min_s >= READ_DELAY_US * 1e-6, "%s: %d reads so far, each took at least %.1f ms",
	      scenario, reads, min_s * 1e3);
}

static int count_fresh_ticks(const struct run *r)
{
	int fresh = 0;

	for (int t = 0; t < r->ticks; t++) {
		bool ok = true;

		for (int k = 0; k < 4; k++)
			ok = ok && r->samples[t][k].ok;
		fresh += ok;
	}
	return fresh;
}

/* The oldest sample a tick used: now - when its server served it (voltage k is sample k). */
static double oldest_sample_s(const struct run *r)
{
	double oldest_s = 0.0;

	for (int t = 0; t < r->ticks; t++)
		for (int k = 0; k < 4; k++) {
			const struct sensor_sample *smp = &r->samples[t][k];

			if (!smp->ok || smp->raw < servers[k].first_raw)
				continue;
			double served_s = atomic_load(&servers[k].served_at_s[(smp->raw - servers[k].first_raw) %
									     RAW_RING]);

			oldest_s = fmax(oldest_s, r->tick_at_s[t] - served_s);
		}
	return oldest_s;
}

static void scenario_pwm(void)
{
	static struct run r;

	memset(&r, 0, sizeof(r));
	r.slow_at_tick = -1;
	run(&r, 40);
	check(count_fresh_ticks(&r) == r.ticks, "pwm: fresh samples at %d of %d ticks", count_fresh_ticks(&r),
	      r.ticks);
	double oldest_s = oldest_sample_s(&r);

	check(oldest_s <= SAMPLE_MAX_AGE_S, "pwm: the oldest sample a tick used was read %.1f ms before it "
	      "(at most %.0f ms: asked for a lead before the tick, not at the tick before)", oldest_s * 1e3,
	      SAMPLE_MAX_AGE_S * 1e3);
	check_reads_were_slow("pwm");
	check_edges(&r, "pwm", false);
	check_presses(&r, "pwm");
}

static void scenario_late(void)
{
	static struct run r;
	int failed_ticks = 0, nan_ok = 1, used_slow = 0, repeated = 0;
	long long last_raw[4] = { 0, 0, 0, 0 };

	memset(&r, 0, sizeof(r));
	r.slow_at_tick = 10;
	run(&r, 30);
	for (int t = 0; t < r.ticks; t++) {
		int failed = 0;

		for (int k = 0; k < 4; k++) {
			const struct sensor_sample *s = &r.samples[t][k];

			if (!s->ok) {
				failed++;
				nan_ok = nan_ok && isnan(s->value);
				continue;
			}
			used_slow += s->raw == SLOW_RAW;
			/* Each read returns a new raw value: one seen again is an old sample used as new. */
			repeated += s->raw <= last_raw[k];
			last_raw[k] = s->raw;
		}
		failed_ticks += failed == 4;
		if (failed != 0 && failed != 4)
			check(false, "late: tick %d failed %d of 4 sensors: a pass is used whole or not at all", t, failed);
	}
	check(failed_ticks >= 1 && failed_ticks <= 3 && nan_ok,
	      "late: a read of %.0f ms made %d tick(s) fail every sensor (ok = false, NaN)", SLOW_READ_US / 1e3,
	      failed_ticks);
	check(used_slow == 0 && repeated == 0, "late: the late pass's samples were never used (%d), no sample "
	      "was used twice (%d)", used_slow, repeated);
	bool recovered = true;

	for (int t = r.ticks - 10; t < r.ticks; t++)
		for (int k = 0; k < 4; k++)
			recovered = recovered && r.samples[t][k].ok;
	check(recovered, "late: every sensor reads again in the last 10 ticks");
	check_edges(&r, "late", false);
}

static void scenario_blocking(void)
{
	static struct run r;
	static struct iio_sensors set;
	char err[512];
	const char *specs[] = { "ads1015/voltage4", "ads1015/voltage5", "ads1015/voltage6", "ads1015/voltage7" };

	memset(&r, 0, sizeof(r));
	r.slow_at_tick = -1;
	if (iio_sensors_open(&set, "local:", err, sizeof(err)) < 0) {
		fprintf(stderr, "read_timing: %s\n", err);
		exit(1);
	}
	for (int i = 0; i < 4; i++)
		if (iio_sensors_add(&set, specs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "read_timing: %s\n", err);
			exit(1);
		}
	r.in_loop = &set;
	run(&r, 20);
	iio_sensors_close(&set);
	check_edges(&r, "blocking (the control: reads in the loop)", true);
}

static void scenario_budget(void)
{
	static struct config cfg;
	struct hw hw;
	char err[1024];

	load_config(&cfg, 20.0);
	int rc = hw_real_open(&cfg, &hw, err, sizeof(err));

	check(rc < 0 && strstr(err, "[daemon] control_hz = 20 needs every sensor read within 40 ms") &&
	      strstr(err, "about 75 ms") && strstr(err, "ads1015/voltage0 at 128 SPS") &&
	      strstr(err, "lower control_hz to 10 or less"), "budget: control_hz = 20 refused: %s",
	      rc < 0 ? err : "(opened)");
	if (rc == 0)
		hw.ops->close(hw.ctx);
}

int main(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		fprintf(stderr, "usage: read_timing (in the test's mount namespace)\n");
		return 1;
	}
	/* A reader that goes early must be a line in the log, not a killed harness. */
	signal(SIGPIPE, SIG_IGN);
	build_tree();
	scenario_budget();
	with_attempts("pwm", scenario_pwm);
	with_attempts("late", scenario_late);
	scenario_blocking();
	printf("read_timing: %d failed\n", failures);
	return failures ? 1 : 0;
}
