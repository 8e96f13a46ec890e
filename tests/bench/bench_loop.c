/* SPDX-License-Identifier: MIT */
/*
 * Loop timing (issue 11, `make bench` part 3): the daemon on the real
 * hardware path (daemon_run over hw_real: the tick timerfd, the bridges'
 * PWM-edge timerfd, GPIO lines, libiio sensors) at real speed, with the
 * GPIO adapter (src/hw/gpio_lines.h) replaced by lines here, whatever the
 * libgpiod version (the Makefile links bench_loop without the adapter),
 * and libiio by a mock at link time (-Wl,--wrap=, see bench_loop.ldflags),
 * that drive the simulated plant in real time from
 * what the lines are: the pad heats while the heat line (and enable) is
 * active, with the PWM's real on and off times, and the ADC reads what the
 * plant's sensors see at the moment of the read. A session of the shipped
 * program runs throughout, so the supervisor stays content.
 *
 * Measured, by wrapping timerfd_settime and timer_read:
 *   tick   the control tick's lateness: when its handler read the timerfd
 *          against the expiry it was due at (first + k * period);
 *   edge   a PWM edge's lateness: when the bridge's line was written
 *          against the expiry the PWM timer was armed for (the edge time
 *          plus hw_real's 1 us margin).
 *
 *   bench_loop [--seconds S] [--state-dir DIR] [--label TEXT] [--realtime]
 * prints one JSON line per timer at the end. --realtime: [daemon] realtime = yes.
 */
#include <errno.h>
#include <getopt.h>
#include <iio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "daemon/config_parse.h"
#include "daemon/daemon.h"
#include "hw/gpio_line_impl.h"
#include "hw/gpio_lines.h"
#include "hw/hw_real.h"
#include "hw/wall_clock.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "sim/sim_plant.h"

#define N_LINES 54
#define MAX_SAMPLES 400000

static struct config cfg;
static struct daemon daemon_state;
static struct wall_clock wall_clock_state;

/* ---- the plant, in real time ---------------------------------------------------- */

static struct sim_plant plant;
static double plant_mono_s;             /* monotonic time the plant has reached */
static bool plant_started;

struct bench_line {
	bool requested, output;
	int value;                      /* logical, as gpio_lines.h writes it; -1 unknown */
};

static struct bench_line lines[N_LINES];
static int button_pipe[2] = { -1, -1 };

struct zone_lines {
	int heat, cool, enable, fan;    /* offsets, -1 when absent */
};
static struct zone_lines zl[MAX_ZONES];
static int power_line = -1;
static long interlock_violations;

static int line_offset(const char *spec)
{
	unsigned int n;

	if (!spec || !spec[0])
		return -1;
	if (sscanf(spec, "GPIO%u", &n) == 1 || sscanf(spec, "gpiochip0:%u", &n) == 1)
		return n < N_LINES ? (int)n : -1;
	return -1;
}

static bool line_on(int offset)
{
	return offset >= 0 && lines[offset].value == 1;
}

/* Bring the plant to now with what the lines have been since it was last brought. */
static void plant_to_now(void)
{
	double now_s = monotonic_s();
	double duty[MAX_ZONES];
	bool fan[MAX_ZONES];

	if (!plant_started) {
		plant_mono_s = now_s;
		plant_started = true;
		return;
	}
	for (int z = 0; z < cfg.n_zones; z++) {
		bool enabled = zl[z].enable < 0 || line_on(zl[z].enable);
		bool heat = line_on(zl[z].heat), cool = line_on(zl[z].cool);

		if (heat && cool)
			interlock_violations++;
		duty[z] = !enabled || heat == cool ? 0.0 : heat ? 1.0 : -1.0;
		fan[z] = line_on(zl[z].fan);
	}
	if (now_s > plant_mono_s)
		sim_plant_step(&plant, duty, fan, power_line < 0 || line_on(power_line), now_s - plant_mono_s);
	plant_mono_s = now_s;
}

/* ---- timing -------------------------------------------------------------------------- */

struct timer_watch {
	int fd;
	bool periodic;
	double first_s, interval_s;     /* periodic: expiry k is first + k * interval */
	long expired;                   /* periodic: expirations read so far */
	double deadline_s;              /* one-shot: the armed expiry, NAN when disarmed */
};
static struct timer_watch watches[8];
static int n_watches;

static double tick_late_s[MAX_SAMPLES], edge_late_s[MAX_SAMPLES];
static long n_tick, n_edge;
static double worst_at_s[2];            /* when the latest tick / edge came, since the start */
static double start_mono_s;
static double edge_deadline_s = NAN;    /* set while the PWM timer's handler runs */

static double worst_so_far[2] = { -INFINITY, -INFINITY };

/* The worst lateness recorded so far in that series (kept as it goes: the series is sorted only at the end). */
static double worst_late(const double *series, long n)
{
	int k = series == tick_late_s ? 0 : 1;

	(void)n;
	return worst_so_far[k];
}

static struct timer_watch *watch_of(int fd)
{
	for (int i = 0; i < n_watches; i++)
		if (watches[i].fd == fd)
			return &watches[i];
	if (n_watches == (int)(sizeof(watches) / sizeof(watches[0])))
		return NULL;
	watches[n_watches].fd = fd;
	return &watches[n_watches++];
}

int __real_timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old);
int __wrap_timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old);
uint64_t __real_timer_read(int fd);
uint64_t __wrap_timer_read(int fd);

static double ts_s(const struct timespec *ts)
{
	return ts->tv_sec + ts->tv_nsec * 1e-9;
}

int __wrap_timerfd_settime(int fd, int flags, const struct itimerspec *new_value, struct itimerspec *old)
{
	double now_s = monotonic_s();
	int rc = __real_timerfd_settime(fd, flags, new_value, old);
	struct timer_watch *w = watch_of(fd);

	if (rc < 0 || !w)
		return rc;
	double value_s = ts_s(&new_value->it_value);
	double at_s = flags & TFD_TIMER_ABSTIME ? value_s : now_s + value_s;

	w->interval_s = ts_s(&new_value->it_interval);
	w->periodic = w->interval_s > 0.0;
	w->first_s = at_s;
	w->expired = 0;
	w->deadline_s = value_s > 0.0 ? at_s : NAN;
	/* The PWM timer is re-armed at the end of its handler: the edges of that turn are done. */
	if (!w->periodic)
		edge_deadline_s = NAN;
	return rc;
}

uint64_t __wrap_timer_read(int fd)
{
	uint64_t n = __real_timer_read(fd);
	double now_s = monotonic_s();
	struct timer_watch *w = watch_of(fd);

	if (!w || n == 0)
		return n;
	if (w->periodic) {
		/* Other periodic timers (the control socket's idle check) are not the tick. */
		if (fd != daemon_state.timer_fd)
			return n;
		double due_s = w->first_s + w->expired * w->interval_s;

		if (n_tick < MAX_SAMPLES) {
			if (n_tick == 0 || now_s - due_s > worst_late(tick_late_s, n_tick))
				worst_at_s[0] = now_s - start_mono_s;
			tick_late_s[n_tick++] = now_s - due_s;
			worst_so_far[0] = fmax(worst_so_far[0], now_s - due_s);
		}
		w->expired += (long)n;
	} else if (!isnan(w->deadline_s)) {
		edge_deadline_s = w->deadline_s;
		w->deadline_s = NAN;
	}
	return n;
}

/* ---- the libgpiod mock -------------------------------------------------------------- */

/* ---- src/hw/gpio_lines.h over the lines above ------------------------------------------ */

/* Any non-NULL pointer: the adapter's objects are opaque, and only "found" is asked of them. */
static char chip_token;

const char *gpio_lines_library(void)
{
	return "bench lines (tests/bench/bench_loop.c)";
}

int gpio_line_find(struct gpio_line *l, const char *role, const char *spec, char *err, size_t err_len)
{
	int offset = line_offset(spec);

	gpio_line_init(l);
	snprintf(l->role, sizeof(l->role), "%s", role);
	snprintf(l->spec, sizeof(l->spec), "%s", spec);
	if (offset < 0) {
		snprintf(err, err_len, "%s: %s: no such line on the bench's chip", role, spec);
		return -1;
	}
	l->lib = (struct gpio_line_lib *)&chip_token;
	snprintf(l->chip_name, sizeof(l->chip_name), "gpiochip0");
	snprintf(l->chip_label, sizeof(l->chip_label), "pinctrl-bcm2711");
	l->by_offset = strncmp(spec, "GPIO", 4) != 0;
	l->offset = (unsigned int)offset;
	return 0;
}

static int request(struct gpio_line *l, bool output, bool active_low)
{
	plant_to_now();
	lines[l->offset].requested = true;
	lines[l->offset].output = output;
	lines[l->offset].value = output ? 0 : -1;
	gpio_line_mark_requested(l, output, active_low);
	return 0;
}

int gpio_line_request_output(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	(void)err;
	(void)err_len;
	return request(l, true, active_low);
}

int gpio_line_request_events(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	if (button_pipe[0] < 0 && pipe(button_pipe) < 0) {
		snprintf(err, err_len, "%s: pipe: %s", l->role, strerror(errno));
		return -1;
	}
	return request(l, false, active_low);
}

int gpio_line_request_input(struct gpio_line *l, bool active_low, char *err, size_t err_len)
{
	(void)err;
	(void)err_len;
	return request(l, false, active_low);
}

int gpio_line_raw_set(struct gpio_line *l, bool active)
{
	struct bench_line *b = &lines[l->offset];

	plant_to_now();
	if (b->value != (int)active && !isnan(edge_deadline_s) && n_edge < MAX_SAMPLES) {
		double late_s = monotonic_s() - edge_deadline_s;

		if (n_edge == 0 || late_s > worst_late(edge_late_s, n_edge))
			worst_at_s[1] = monotonic_s() - start_mono_s;
		edge_late_s[n_edge++] = late_s;
		worst_so_far[1] = fmax(worst_so_far[1], late_s);
	}
	b->value = active;
	return 0;
}

int gpio_line_raw_get(struct gpio_line *l)
{
	return l->output ? lines[l->offset].value : 0;
}

int gpio_line_event_fd(struct gpio_line *l)
{
	return l->requested && !l->output ? button_pipe[0] : -1;
}

int gpio_line_read_edges(struct gpio_line *l, struct gpio_edge *edges, int max)
{
	(void)l;
	(void)edges;
	(void)max;
	return 0;                       /* nobody presses the bench's button */
}

int gpio_line_info(struct gpio_line *l, struct gpio_line_info *info)
{
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "GPIO%u", l->offset);
	info->used = lines[l->offset].requested;
	snprintf(info->consumer, sizeof(info->consumer), "%s", info->used ? GPIO_CONSUMER : "");
	info->is_output = lines[l->offset].output;
	return 0;
}

void gpio_line_close(struct gpio_line *l)
{
	if (l->lib && l->requested) {
		if (l->output && l->value != 0)
			gpio_line_set(l, false);
		plant_to_now();
		lines[l->offset].requested = false;
	}
	gpio_line_mark_closed(l);
}

/* ---- the libiio mock: an XML context whose raw attributes read the plant ---------------- */

#define DTD "<!DOCTYPE context [<!ELEMENT context (device | context-attribute)*>" \
	"<!ELEMENT context-attribute EMPTY><!ELEMENT device (channel | attribute | debug-attribute | " \
	"buffer-attribute)*><!ELEMENT channel (scan-element?, attribute*)><!ELEMENT attribute EMPTY>" \
	"<!ELEMENT scan-element EMPTY><!ELEMENT debug-attribute EMPTY><!ELEMENT buffer-attribute EMPTY>" \
	"<!ATTLIST context name CDATA #REQUIRED version-major CDATA #REQUIRED version-minor CDATA " \
	"#REQUIRED version-git CDATA #REQUIRED description CDATA #IMPLIED><!ATTLIST context-attribute " \
	"name CDATA #REQUIRED value CDATA #REQUIRED><!ATTLIST device id CDATA #REQUIRED name CDATA " \
	"#IMPLIED label CDATA #IMPLIED><!ATTLIST channel id CDATA #REQUIRED type (input|output) " \
	"#REQUIRED name CDATA #IMPLIED><!ATTLIST scan-element index CDATA #REQUIRED format CDATA " \
	"#REQUIRED scale CDATA #IMPLIED><!ATTLIST attribute name CDATA #REQUIRED filename CDATA " \
	"#IMPLIED><!ATTLIST debug-attribute name CDATA #REQUIRED><!ATTLIST buffer-attribute name " \
	"CDATA #REQUIRED>]>"
#define CHANNEL(n) "<channel id=\"voltage" #n "\" type=\"input\"><attribute name=\"raw\" " \
	"filename=\"in_voltage" #n "_raw\"/><attribute name=\"scale\" filename=\"in_voltage" #n "_scale\"/></channel>"

static const char iio_xml[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>" DTD
	"<context name=\"xml\" version-major=\"0\" version-minor=\"24\" version-git=\"v0.24\">"
	"<device id=\"iio:device0\" name=\"ads1015\">" CHANNEL(0) CHANNEL(1) CHANNEL(2) CHANNEL(3)
	CHANNEL(4) CHANNEL(5) CHANNEL(6) CHANNEL(7) "</device></context>";

struct iio_context *__wrap_iio_create_context_from_uri(const char *uri);
ssize_t __wrap_iio_channel_attr_read(const struct iio_channel *chn, const char *attr, char *dst, size_t len);

struct iio_context *__wrap_iio_create_context_from_uri(const char *uri)
{
	(void)uri;
	return iio_create_xml_context_mem(iio_xml, sizeof(iio_xml) - 1);
}

/* Which zone's pad or heatsink a channel is, from the config. */
static int channel_role(const char *id, int *zone)
{
	char spec[SENSOR_SPEC_LEN];

	snprintf(spec, sizeof(spec), "ads1015/%s", id);
	for (int z = 0; z < cfg.n_zones; z++) {
		*zone = z;
		if (strcmp(cfg.zones[z].pad_sensor, spec) == 0)
			return 0;
		if (strcmp(cfg.zones[z].pad_sensor2, spec) == 0)
			return 1;
		if (strcmp(cfg.zones[z].heatsink_sensor, spec) == 0)
			return 2;
	}
	return -1;
}

ssize_t __wrap_iio_channel_attr_read(const struct iio_channel *chn, const char *attr, char *dst, size_t len)
{
	const char *id = iio_channel_get_id(chn);
	int zone, role = channel_role(id, &zone);

	if (strcmp(attr, "scale") == 0) {
		snprintf(dst, len, "%.9f", SIM_ADC_LSB_MV);
		return (ssize_t)strlen(dst) + 1;
	}
	if (strcmp(attr, "raw") != 0 || role < 0)
		return -ENOENT;
	struct sensor_sample s[3];

	plant_to_now();
	sim_plant_sample(&plant, zone, &s[0], &s[1], &s[2]);
	snprintf(dst, len, "%lld", (long long)s[role].raw);
	return (ssize_t)strlen(dst) + 1;
}

/* ---- main -------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void report(const char *figure, const char *label, double *v, long n, double seconds, double worst_at)
{
	if (n == 0) {
		printf("{\"type\":\"timing\",\"figure\":\"%s, %s\",\"events\":0,\"p50_us\":null,\"p99_us\":null,"
		       "\"max_us\":null,\"minutes\":%.2f}\n", figure, label, seconds / 60.0);
		return;
	}
	qsort(v, (size_t)n, sizeof(double), cmp_double);
	printf("{\"type\":\"timing\",\"figure\":\"%s, %s\",\"events\":%ld,\"p50_us\":%.1f,\"p99_us\":%.1f,"
	       "\"max_us\":%.1f,\"max_at_s\":%.1f,\"minutes\":%.2f,\"goal\":\"-\"}\n",
	       figure, label, n, v[n / 2] * 1e6, v[(long)(n * 0.99)] * 1e6, v[n - 1] * 1e6, worst_at, seconds / 60.0);
}

int main(int argc, char **argv)
{
	struct config_error cerr;
	struct options opt;
	struct daemon_setup setup;
	char err[512];
	double seconds = 600.0;
	const char *state_dir = "/tmp/contrastd-bench-loop";
	const char *label = "default scheduling";
	const char *config_path = "config/contrastd.conf";
	bool realtime = false;
	int o;

	static const struct option longopts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "label", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "realtime", no_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	while ((o = getopt_long(argc, argv, "s:d:l:c:r", longopts, NULL)) != -1) {
		switch (o) {
		case 's': seconds = atof(optarg); break;
		case 'd': state_dir = optarg; break;
		case 'l': label = optarg; break;
		case 'c': config_path = optarg; break;
		case 'r': realtime = true; break;
		default:
			fprintf(stderr, "usage: bench_loop [--seconds S] [--state-dir DIR] [--label TEXT] "
				"[--config FILE] [--realtime]\n");
			return 2;
		}
	}
	for (unsigned int i = 0; i < N_LINES; i++)
		lines[i].value = -1;
	if (config_load(config_path, &cfg, &cerr) < 0) {
		fprintf(stderr, "bench_loop: %s\n", cerr.msg);
		return 2;
	}
	cfg.daemon.realtime = realtime;
	snprintf(cfg.daemon.state_dir, sizeof(cfg.daemon.state_dir), "%s/state", state_dir);
	snprintf(cfg.daemon.socket, sizeof(cfg.daemon.socket), "%s/control.sock", state_dir);
	cfg.daemon.iio_context[0] = '\0';
	snprintf(cfg.daemon.iio_context, sizeof(cfg.daemon.iio_context), "local:");
	for (int z = 0; z < cfg.n_zones; z++) {
		zl[z].heat = line_offset(cfg.zones[z].heat);
		zl[z].cool = line_offset(cfg.zones[z].cool);
		zl[z].enable = line_offset(cfg.zones[z].enable);
		zl[z].fan = line_offset(cfg.zones[z].fan);
	}
	power_line = line_offset(cfg.power_line);
	sim_plant_init(&plant, cfg.n_zones, &cfg.thermistor, 1);
	plant_to_now();
	log_set_max_level(LOG_LEVEL_NOTICE);

	memset(&setup, 0, sizeof(setup));
	if (hw_real_open(&cfg, &setup.hw, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_loop: %s\n", err);
		return 2;
	}
	/* As main() sets up the real device. */
	setup.clock = wall_clock_init(&wall_clock_state, 1.0 / cfg.daemon.control_hz);
	setup.batch = false;
	setup.progress_every_s = 0.0;
	memset(&opt, 0, sizeof(opt));
	opt.config_path = config_path;
	opt.start = true;
	opt.fast_after_s = -1.0;
	if (daemon_init(&daemon_state, &opt, &cfg, &setup, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_loop: %s\n", err);
		return 2;
	}
	daemon_state.progress = fopen("/dev/null", "w");

	/* SIGTERM after the run: the daemon's own signalfd takes it and stops the session. */
	timer_t stop_timer;
	struct sigevent sev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGTERM };
	struct itimerspec its = { .it_value = { .tv_sec = (time_t)seconds,
						.tv_nsec = (long)((seconds - floor(seconds)) * 1e9) } };

	if (timer_create(CLOCK_MONOTONIC, &sev, &stop_timer) < 0 || timer_settime(stop_timer, 0, &its, NULL) < 0) {
		perror("bench_loop: timer_create");
		return 2;
	}
	struct rusage ru0, ru1;
	double t0 = monotonic_s();

	start_mono_s = t0;
	getrusage(RUSAGE_SELF, &ru0);
	int rc = daemon_run(&daemon_state);
	double elapsed = monotonic_s() - t0;

	getrusage(RUSAGE_SELF, &ru1);
	enum session_state end = daemon_state.ctl.state;

	daemon_close(&daemon_state);
	report("control tick", label, tick_late_s, n_tick, elapsed, worst_at_s[0]);
	report("PWM edge", label, edge_late_s, n_edge, elapsed, worst_at_s[1]);
	double cpu_s = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) + (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec) * 1e-6 +
		       (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) + (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) * 1e-6;
	long wakeups = (ru1.ru_nvcsw - ru0.ru_nvcsw) + (ru1.ru_nivcsw - ru0.ru_nivcsw);

	printf("{\"type\":\"timing-run\",\"label\":\"%s\",\"realtime\":%s,\"seconds\":%.1f,\"exit\":%d,\"session\":\"%s\","
	       "\"cpu_percent\":%.3f,\"wakeups_per_s\":%.1f,\"interlock_violations\":%ld,"
	       "\"fault\":\"%s\"}\n",
	       label, realtime ? "true" : "false", elapsed, rc, session_state_name(end), 100.0 * cpu_s / elapsed, wakeups / elapsed,
	       interlock_violations, fault_kind_name(safety_latched_fault(&daemon_state.ctl.safety)->kind));
	return 0;
}
