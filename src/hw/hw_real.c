/* SPDX-License-Identifier: MIT */
/* The real hardware: libiio sensors, libgpiod lines, bridges, the button. See hw_real.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include "core/bridge.h"
#include "core/button.h"
#include "core/charge_pump.h"
#include "core/sensor.h"
#include "core/thermistor.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "gpio_lines.h"
#include "hw_real.h"
#include "iio_reader.h"
#include "iio_sensors.h"
#include "output_lines.h"
#include "rpi.h"

/* A button edge stamped further than this from our clock is in another clock: date it now. */
#define EDGE_CLOCK_TOLERANCE_S 5.0
/* Arm the timer this much after an edge, so the clock has surely reached it on wake-up. */
#define TIMER_MARGIN_S 1e-6

struct hw_real_zone {
	char name[NAME_LEN];
	struct gpio_line heat, cool, enable, fan;
	bool has_enable, has_fan;
	struct bridge bridge;
	struct bridge_out out;          /* what the bridge wanted at its last update */
	int pad, pad2, heatsink;        /* sensor indices; pad2 -1 when absent */
};

struct hw_real {
	int n_zones;
	struct hw_real_zone zone[MAX_ZONES];
	struct gpio_line power;
	bool has_power;
	bool pump_mode;                 /* power_mode = charge-pump: the power line carries its wave */
	struct charge_pump pump;        /* the wave, on the hardware clock */
	long power_edges;               /* changes of the power line written, for --trace */
	struct gpio_line button_line;
	bool has_button;
	struct gpio_line led;           /* [button] led: the status light */
	bool has_led;
	struct button button;
	int button_fd;                  /* in the loop, -1 when not */
	struct iio_sensors sensors;
	/* The reads, off the loop (iio_reader.h); the decisions, here. */
	struct iio_reader reader;
	bool reader_in_loop;            /* its eventfd is in the loop */
	double tick_s;                  /* the control period, 1 / control_hz */
	double ask_at_s;                /* when to ask for the next tick's pass (INFINITY: asked, or no tick yet) */
	double pass_estimate_s;         /* a pass as the data rates say (iio_sensors_pass_s) */
	double pass_took_s;             /* the slowest recent pass, decaying: the lead follows a slow bus */
	uint64_t awaited;               /* the pass the next tick uses (0: none asked for) */
	double awaited_asked_s;         /* when it was asked for (hardware clock) */
	bool have_pass;                 /* pass is the awaited one, complete */
	struct iio_pass pass;
	struct iio_pass incoming;       /* what the reader handed over last */
	long late_passes;               /* passes that completed after their tick */
	double late_log_s;              /* when the last late pass was logged */
	int timer_fd;
	struct loop *loop;
	struct hw_events ev;
	double (*clock_s)(void);
	double stale_command_s;         /* no apply for this long while driving: duty 0 */
	double last_apply_s;
	bool stale;                     /* the bridges were stopped for a stale command */
	bool pending_error;             /* a write failed between ticks ... */
	int pending_zone;               /* ... on this zone (-1: the power line) */
};

static void ask_pass(struct hw_real *hw, double now_s);

/* --- Lines ---------------------------------------------------------------- */

/* Write a line if it is not known to have that value already. */
static int write_line(struct gpio_line *l, bool active)
{
	char where[128];

	if (l->value == (active ? 1 : 0))
		return 0;
	if (gpio_line_set(l, active) == 0)
		return 0;
	int e = errno;

	gpio_line_where(l, where, sizeof(where));
	log_err("%s: %s: writing it %s: %s (errno %d)", l->role, where, active ? "active" : "inactive",
		strerror(e), e);
	return -1;
}

/*
 * Write what the bridge wants: every deactivation before any activation,
 * so no intermediate state has both polarity lines (or enable with the
 * wrong one) active. Stops at the first failure.
 */
static int write_bridge(struct hw_real_zone *z, const struct bridge_out *bo)
{
	if (z->has_enable && !bo->enable && write_line(&z->enable, false) < 0)
		return -1;
	if (!bo->heat && write_line(&z->heat, false) < 0)
		return -1;
	if (!bo->cool && write_line(&z->cool, false) < 0)
		return -1;
	if (bo->heat && write_line(&z->heat, true) < 0)
		return -1;
	if (bo->cool && write_line(&z->cool, true) < 0)
		return -1;
	if (z->has_enable && bo->enable && write_line(&z->enable, true) < 0)
		return -1;
	return 0;
}

/* Write inactive whatever we think the line is; log a failure. */
static int force_inactive(struct gpio_line *l)
{
	l->value = -1;
	return write_line(l, false);
}

/* The power line to level: counted when it changes. */
static int write_power(struct hw_real *hw, bool active)
{
	bool change = hw->power.value != (active ? 1 : 0);

	if (write_line(&hw->power, active) < 0)
		return -1;
	if (change)
		hw->power_edges++;
	return 0;
}

static int real_all_off(void *ctx);

/* --- The timer: PWM edges, button deadlines, the stale-command watchdog ----- */

static bool any_duty(const struct hw_real *hw)
{
	for (int z = 0; z < hw->n_zones; z++)
		if (bridge_duty(&hw->zone[z].bridge) != 0.0)
			return true;
	return false;
}

static void arm_timer(struct hw_real *hw, double now_s)
{
	double next_s = INFINITY;
	struct itimerspec its;

	for (int z = 0; z < hw->n_zones; z++)
		next_s = fmin(next_s, hw->zone[z].out.next_edge_s);
	if (hw->has_button)
		next_s = fmin(next_s, button_next_deadline(&hw->button));
	if (hw->pump_mode)
		next_s = fmin(next_s, charge_pump_next_edge_s(&hw->pump, now_s));
	if (any_duty(hw))
		next_s = fmin(next_s, hw->last_apply_s + hw->stale_command_s);
	next_s = fmin(next_s, hw->ask_at_s);
	if (hw->timer_fd < 0)
		return;
	memset(&its, 0, sizeof(its));
	if (isfinite(next_s)) {
		double delay_s = next_s - now_s + TIMER_MARGIN_S;

		if (delay_s < 1e-9)
			delay_s = 1e-9;         /* overdue: at once (a zero it_value would disarm) */
		its.it_value.tv_sec = (time_t)floor(delay_s);
		its.it_value.tv_nsec = (long)((delay_s - floor(delay_s)) * 1e9);
		if (its.it_value.tv_nsec >= 1000000000L) {
			its.it_value.tv_sec++;
			its.it_value.tv_nsec -= 1000000000L;
		}
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(hw->timer_fd, 0, &its, NULL) < 0)
		log_err("hardware timer: %s: PWM edges will come late", strerror(errno));
}

/* A write failed between ticks: everything off now, and the next apply reports it. */
static void output_fault(struct hw_real *hw, int zone)
{
	log_err("output fault on %s: driving every output inactive",
		zone < 0 ? "the power line" : hw->zone[zone].name);
	hw->pending_error = true;
	hw->pending_zone = zone;
	real_all_off(hw);
}

static void dispatch(struct hw_real *hw, enum button_event ev, double at_s)
{
	if (ev == BUTTON_NONE)
		return;
	log_debug("button: %s", button_event_name(ev));
	if (hw->ev.button)
		hw->ev.button(hw->ev.arg, ev, at_s);
}

/* Run whatever is due at the clock's now. */
static void service(struct hw_real *hw)
{
	double now_s = hw->clock_s();
	enum button_event ev;

	if (any_duty(hw) && now_s >= hw->last_apply_s + hw->stale_command_s) {
		if (!hw->stale)
			log_err("no output command for %.1f s: every Peltier off until the next one",
				now_s - hw->last_apply_s);
		hw->stale = true;
		for (int z = 0; z < hw->n_zones; z++)
			bridge_update(&hw->zone[z].bridge, 0.0, now_s, &hw->zone[z].out);
		/* The supply too; the bridges' lines follow below. */
		charge_pump_stop(&hw->pump);
		if (hw->has_power && write_power(hw, false) < 0)
			output_fault(hw, -1);
	}
	/* The charge pump's edges: the wave runs as long as the loop does. */
	if (hw->pump_mode && !hw->pending_error && write_power(hw, charge_pump_level(&hw->pump, now_s)) < 0)
		output_fault(hw, -1);
	for (int z = 0; z < hw->n_zones && !hw->pending_error; z++) {
		struct hw_real_zone *zone = &hw->zone[z];

		bridge_poll(&zone->bridge, now_s, &zone->out);
		if (write_bridge(zone, &zone->out) < 0)
			output_fault(hw, z);
	}
	if (hw->has_button)
		while ((ev = button_poll(&hw->button, now_s)) != BUTTON_NONE)
			dispatch(hw, ev, now_s);
	if (now_s >= hw->ask_at_s)
		ask_pass(hw, now_s);
	arm_timer(hw, now_s);
}

static void on_timer(int fd, uint32_t events, void *arg)
{
	(void)events;
	timer_read(fd);
	service(arg);
}

static double edge_time_s(const struct gpio_edge *e, double now_s)
{
	double t_s = (double)e->ts.tv_sec + e->ts.tv_nsec * 1e-9;

	if (!(fabs(t_s - now_s) <= EDGE_CLOCK_TOLERANCE_S))
		return now_s;
	return t_s > now_s ? now_s : t_s;
}

static void on_button_fd(int fd, uint32_t events, void *arg)
{
	struct hw_real *hw = arg;
	struct gpio_edge edges[16];
	double now_s = hw->clock_s();
	int n;

	(void)events;
	do {
		n = gpio_line_read_edges(&hw->button_line, edges, 16);
		if (n < 0) {
			char where[128];

			gpio_line_where(&hw->button_line, where, sizeof(where));
			log_err("button: %s: reading its events: %s: the button is ignored from now on", where,
				strerror(errno));
			/* An fd in error would wake the loop forever. */
			if (hw->loop)
				loop_remove_fd(hw->loop, fd);
			hw->button_fd = -1;
			hw->has_button = false;
			arm_timer(hw, now_s);
			return;
		}
		for (int i = 0; i < n; i++) {
			double at_s = edge_time_s(&edges[i], now_s);

			dispatch(hw, button_edge(&hw->button, edges[i].active, at_s), at_s);
		}
	} while (n == 16);
	/* The kernel keeps 16 events and drops the rest: trust the level over the queue. */
	int level = gpio_line_get(&hw->button_line);

	if (level >= 0)
		dispatch(hw, button_edge(&hw->button, level == 1, now_s), now_s);
	enum button_event ev;

	while ((ev = button_poll(&hw->button, now_s)) != BUTTON_NONE)
		dispatch(hw, ev, now_s);
	arm_timer(hw, now_s);
}

/* --- The sensors: passes from the reader thread ---------------------------------- */

static void ask_pass(struct hw_real *hw, double now_s)
{
	hw->awaited = iio_reader_ask(&hw->reader);
	hw->awaited_asked_s = now_s;
	hw->have_pass = false;
	hw->ask_at_s = INFINITY;
}

/*
 * How long before a tick its pass is asked for: twice the slower of what
 * the data rates say and what a recent pass took, and a margin; never more
 * than HW_REAL_READ_BUDGET of the period (a pass that needs more is
 * refused at start). So a tick acts on readings taken just before it: a
 * pad that crosses a limit is acted on within a control period of the
 * reading, not two.
 */
static double read_lead_s(const struct hw_real *hw)
{
	double need_s = HW_REAL_READ_LEAD_FACTOR * fmax(hw->pass_estimate_s, hw->pass_took_s) +
			HW_REAL_READ_LEAD_MARGIN_S;

	return fmin(need_s, HW_REAL_READ_BUDGET * hw->tick_s);
}

/* Take what the reader completed: the awaited pass is kept for the next tick; an older one came late. */
static void collect_pass(struct hw_real *hw, double now_s)
{
	if (!iio_reader_take(&hw->reader, &hw->incoming))
		return;
	/* The slowest recent pass, forgotten by 1 % a pass. */
	hw->pass_took_s = fmax(0.99 * hw->pass_took_s, hw->incoming.finished_s - hw->incoming.started_s);
	if (hw->incoming.seq == hw->awaited) {
		hw->pass = hw->incoming;
		hw->have_pass = true;
		return;
	}
	hw->late_passes++;
	if (hw->late_passes == 1 || now_s - hw->late_log_s >= IIO_SENSORS_LOG_EVERY_S) {
		log_warning("sensors: a read of every sensor took %.0f ms, and was not complete at its tick "
			    "(asked for %.0f ms before it, in a %.0f ms control period): its samples were dropped "
			    "(%ld late so far)", (hw->incoming.finished_s - hw->incoming.started_s) * 1e3,
			    read_lead_s(hw) * 1e3, hw->tick_s * 1e3, hw->late_passes);
		hw->late_log_s = now_s;
	}
}

static void on_reader_fd(int fd, uint32_t events, void *arg)
{
	struct hw_real *hw = arg;

	(void)fd;
	(void)events;
	iio_reader_clear_fd(&hw->reader);
	collect_pass(hw, hw->clock_s());
}

/*
 * This tick's samples: the pass asked for read_lead_s before it, if it is
 * complete, not used yet and not older than HW_REAL_SAMPLE_MAX_AGE_PERIODS;
 * otherwise every sensor fails this tick. Then the next tick's pass is
 * scheduled; if the timer could not ask for this tick's in time (the loop
 * was late), the next one is asked for at once.
 */
static void take_samples(struct hw_real *hw, struct sensor_sample *s)
{
	double now_s = hw->clock_s();
	double age_s = now_s - hw->awaited_asked_s;
	char why[160];

	bool asked = isinf(hw->ask_at_s);

	collect_pass(hw, now_s);
	if (asked && hw->have_pass && age_s <= HW_REAL_SAMPLE_MAX_AGE_PERIODS * hw->tick_s) {
		for (int i = 0; i < hw->sensors.n; i++)
			iio_sensors_account(&hw->sensors, i, now_s, &hw->pass.result[i], &s[i]);
	} else {
		if (hw->awaited == 0 || !asked)
			snprintf(why, sizeof(why), "not read: no read was asked for since the last tick");
		else if (hw->have_pass)
			snprintf(why, sizeof(why), "not used: read %.0f ms ago, more than %.1f control periods",
				 age_s * 1e3, HW_REAL_SAMPLE_MAX_AGE_PERIODS);
		else
			snprintf(why, sizeof(why), "not read in time: the read asked for %.0f ms ago is not complete",
				 age_s * 1e3);
		for (int i = 0; i < hw->sensors.n; i++)
			iio_sensors_fail(&hw->sensors, i, now_s, why, &s[i]);
	}
	hw->have_pass = false;          /* a pass is used by one tick; one that completes after it is late */
	hw->awaited = 0;
	if (!asked)
		ask_pass(hw, now_s);
	else
		hw->ask_at_s = now_s + hw->tick_s - read_lead_s(hw);
	arm_timer(hw, now_s);
}

/* --- The operations ---------------------------------------------------------- */

static void real_read(void *ctx, double now_s, struct tick_inputs *in)
{
	struct hw_real *hw = ctx;
	struct sensor_sample s[IIO_SENSORS_MAX];

	(void)now_s;
	take_samples(hw, s);
	for (int z = 0; z < hw->n_zones; z++) {
		const struct hw_real_zone *zone = &hw->zone[z];

		in->pad[z] = s[zone->pad];
		in->heatsink[z] = s[zone->heatsink];
		if (zone->pad2 >= 0)
			in->pad2[z] = s[zone->pad2];
	}
}

static int real_apply(void *ctx, double now_s, const struct tick_outputs *out, int *failed_zone)
{
	struct hw_real *hw = ctx;
	double t_s = hw->clock_s();

	(void)now_s;
	hw->last_apply_s = t_s;
	hw->stale = false;
	if (hw->pending_error) {
		/* A write failed since the last tick; everything is off already. */
		hw->pending_error = false;
		*failed_zone = hw->pending_zone;
		return -1;
	}
	bool power_level = out->power;

	if (hw->pump_mode) {
		charge_pump_tick(&hw->pump, t_s, out->power, out->readings_ok);
		power_level = charge_pump_level(&hw->pump, t_s);
	}
	if (hw->has_power && write_power(hw, power_level) < 0) {
		*failed_zone = -1;
		return -1;
	}
	for (int z = 0; z < hw->n_zones; z++) {
		struct hw_real_zone *zone = &hw->zone[z];

		bridge_update(&zone->bridge, out->power ? out->duty[z] : 0.0, t_s, &zone->out);
		if (write_bridge(zone, &zone->out) < 0 || (zone->has_fan && write_line(&zone->fan, out->fan[z]) < 0)) {
			*failed_zone = z;
			arm_timer(hw, t_s);
			return -1;
		}
	}
	arm_timer(hw, t_s);
	return 0;
}

static int real_all_off(void *ctx)
{
	struct hw_real *hw = ctx;
	double now_s = hw->clock_s();
	int rc = 0;

	for (int z = 0; z < hw->n_zones; z++)
		bridge_update(&hw->zone[z].bridge, 0.0, now_s, &hw->zone[z].out);
	/* The supply first: a second, independent way the power goes (the charge pump's wave stops). */
	charge_pump_stop(&hw->pump);
	if (hw->has_power) {
		int was = hw->power.value;

		if (force_inactive(&hw->power) < 0)
			rc = -1;
		else if (was == 1)
			hw->power_edges++;
	}
	for (int z = 0; z < hw->n_zones; z++) {
		struct hw_real_zone *zone = &hw->zone[z];

		if (zone->has_enable && force_inactive(&zone->enable) < 0)
			rc = -1;
		if (force_inactive(&zone->heat) < 0)
			rc = -1;
		if (force_inactive(&zone->cool) < 0)
			rc = -1;
		if (zone->has_fan && force_inactive(&zone->fan) < 0)
			rc = -1;
	}
	arm_timer(hw, now_s);
	return rc;
}

static int real_attach(void *ctx, struct loop *loop, const struct hw_events *ev)
{
	struct hw_real *hw = ctx;

	hw->loop = loop;
	if (ev)
		hw->ev = *ev;
	if (loop_add_fd(loop, hw->timer_fd, EPOLLIN, on_timer, hw) < 0) {
		log_err("hardware timer: adding it to the loop: %s", strerror(errno));
		return -1;
	}
	if (hw->has_button) {
		int fd = gpio_line_event_fd(&hw->button_line);

		if (fd < 0 || loop_add_fd(loop, fd, EPOLLIN, on_button_fd, hw) < 0) {
			log_err("button: adding its event fd to the loop: %s", strerror(errno));
			return -1;
		}
		hw->button_fd = fd;
	}
	if (loop_add_fd(loop, iio_reader_fd(&hw->reader), EPOLLIN, on_reader_fd, hw) < 0) {
		log_err("sensor reader: adding its eventfd to the loop: %s", strerror(errno));
		return -1;
	}
	hw->reader_in_loop = true;
	/* The first tick has samples: the first pass now, before the loop runs (at most a timeout). */
	ask_pass(hw, hw->clock_s());
	if (!iio_reader_wait_idle(&hw->reader, HW_REAL_FIRST_PASS_WAIT_S))
		log_warning("sensors: the first read is not complete after %.0f s", HW_REAL_FIRST_PASS_WAIT_S);
	collect_pass(hw, hw->clock_s());
	arm_timer(hw, hw->clock_s());
	return 0;
}

static void close_lines(struct hw_real *hw)
{
	/* gpio_line_close writes an output inactive before releasing it. */
	gpio_line_close(&hw->power);
	for (int z = 0; z < MAX_ZONES; z++) {
		gpio_line_close(&hw->zone[z].enable);
		gpio_line_close(&hw->zone[z].heat);
		gpio_line_close(&hw->zone[z].cool);
		gpio_line_close(&hw->zone[z].fan);
	}
	gpio_line_close(&hw->button_line);
	gpio_line_close(&hw->led);
}

static void real_close(void *ctx)
{
	struct hw_real *hw = ctx;

	real_all_off(hw);
	if (hw->loop) {
		if (hw->timer_fd >= 0)
			loop_remove_fd(hw->loop, hw->timer_fd);
		if (hw->button_fd >= 0)
			loop_remove_fd(hw->loop, hw->button_fd);
		if (hw->reader_in_loop)
			loop_remove_fd(hw->loop, iio_reader_fd(&hw->reader));
	}
	close_lines(hw);
	if (hw->timer_fd >= 0)
		close(hw->timer_fd);
	/* The thread first: it reads the set until it stops. */
	iio_reader_stop(&hw->reader);
	iio_sensors_close(&hw->sensors);
	free(hw);
}

/* The status light: a plain output, written only when it changes (write_line). */
static int real_set_led(void *ctx, double now_s, bool on)
{
	struct hw_real *hw = ctx;

	(void)now_s;
	if (!hw->has_led || hw->led.value == (on ? 1 : 0))
		return 0;
	/* No log here: a failing light would fill it at the tick rate; the daemon says it once. */
	return gpio_line_set(&hw->led, on);
}

static void real_power_line(void *ctx, long *edges, int *relay)
{
	const struct hw_real *hw = ctx;

	*edges = hw->power_edges;
	*relay = -1;
}

static const struct hw_ops hw_real_ops = {
	.name = "real",
	.power_line = real_power_line,
	.set_led = real_set_led,
	.read = real_read,
	.apply = real_apply,
	.all_off = real_all_off,
	.close = real_close,
	.attach = real_attach,
};

void hw_real_set_clock(struct hw *hw, double (*clock_s)(void))
{
	struct hw_real *real = hw->ctx;

	if (hw->ops == &hw_real_ops)
		real->clock_s = clock_s;
}

bool hw_real_wait_reads(struct hw *hw, double timeout_s)
{
	struct hw_real *real = hw->ctx;

	if (hw->ops != &hw_real_ops)
		return false;
	return iio_reader_wait_idle(&real->reader, timeout_s);
}

/* --- How fast the sensors can be read --------------------------------------------- */

/*
 * Does a pass over every sensor fit in HW_REAL_READ_BUDGET of a control
 * period? Returns 0, or -1 with a message that says what to change.
 */
static int check_read_budget(const struct iio_sensors *set, double control_hz, char *err, size_t err_len)
{
	double pass_s = iio_sensors_pass_s(set);
	double budget_s = HW_REAL_READ_BUDGET / control_hz;
	int slowest = 0;

	if (pass_s <= budget_s)
		return 0;
	for (int i = 1; i < set->n; i++)
		if (iio_sensors_read_cost_s(set, i) > iio_sensors_read_cost_s(set, slowest))
			slowest = i;
	double max_hz = floor(HW_REAL_READ_BUDGET / pass_s);
	double hz = iio_sensors_sampling_hz(set, slowest);
	char lower[64];

	if (max_hz >= 1.0)
		snprintf(lower, sizeof(lower), "lower control_hz to %.0f or less", max_hz);
	else
		snprintf(lower, sizeof(lower), "read fewer sensors");
	snprintf(err, err_len, "[daemon] control_hz = %g needs every sensor read within %.0f ms of each "
		 "%.0f ms period, but a read of all %d takes about %.0f ms at their data rates (%s at %g SPS: "
		 "%.1f ms a read, as the driver waits %.1f conversions when it switches input): %s, or "
		 "raise the ADC's data rate (860 SPS, the ads1115 overlay's default for an enabled channel: "
		 "docs/wiring.md)", control_hz, budget_s * 1e3, 1e3 / control_hz, set->n, pass_s * 1e3,
		 set->s[slowest].spec, hz, iio_sensors_read_cost_s(set, slowest) * 1e3,
		 IIO_SENSORS_SWITCH_CONVERSIONS, lower);
	return -1;
}

/* --- Raspberry Pi warnings ------------------------------------------------------ */

/* One warning: a line of --probe's output (out), or the log at start (out NULL). */
static void warn(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(FILE *out, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (out)
		fprintf(out, "warning: %s\n", msg);
	else
		log_warning("%s", msg);
}

/* A CHIP:OFFSET line on a chip that is no Raspberry Pi pin controller. Returns 1 if warned. */
static int warn_chip_offset(struct gpio_line *l, FILE *out)
{
	struct gpio_line_info info;
	char label[48], name[64];

	if (!gpio_line_found(l) || !l->by_offset || rpi_is_pin_controller(l->chip_label))
		return 0;
	if (l->chip_label[0])
		snprintf(label, sizeof(label), "\"%s\"", l->chip_label);
	else
		snprintf(label, sizeof(label), "a chip without a label");
	if (gpio_line_info(l, &info) == 0 && info.name[0])
		snprintf(name, sizeof(name), "its name, %s", info.name);
	else
		snprintf(name, sizeof(name), "its name (gpioinfo lists them)");
	warn(out, "%s: %s gives the line by chip number and offset, and %s is %s, not a Raspberry Pi pin "
	     "controller (" RPI_PIN_CONTROLLERS "): chip numbers differ between models and kernels; give "
	     "the line by %s", l->role, l->spec, l->chip_name, label, name);
	return 1;
}

/* Released lines that keep driving. Returns 1 if warned. */
static int warn_persisting_outputs(FILE *out)
{
	char names[256];
	int n = rpi_persisting_drivers(names, sizeof(names));

	if (n == 0)
		return 0;
	warn(out, "GPIO: %s keep%s a released line's output (persist_gpio_outputs = Y): after a crash or a "
	     "SIGKILL, and always for a daemon started by hand, heat, enable and the power relay stay as "
	     "they were until something drives them off; " RPI_STRICT_GPIOD_ADVICE, names, n == 1 ? "s" : "");
	return 1;
}

/* --- Opening ----------------------------------------------------------------- */

/* The lines of a config in the order they are opened and driven off. */
struct line_use {
	char role[48];
	const char *spec;
	bool active_low;
	struct gpio_line *slot;         /* hw_real_open: where it goes */
};

static int config_output_lines(const struct config *cfg, struct hw_real *hw, struct line_use *u)
{
	int n = 0;

	if (cfg->power_line[0]) {
		u[n] = (struct line_use){ "power", cfg->power_line, cfg->power_active_low,
					  hw ? &hw->power : NULL };
		n++;
	}
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct config_zone *cz = &cfg->zones[z];
		struct hw_real_zone *hz = hw ? &hw->zone[z] : NULL;
		const char *keys[] = { "enable", "heat", "cool", "fan" };
		const char *specs[] = { cz->enable, cz->heat, cz->cool, cz->fan };
		struct gpio_line *slots[] = { hz ? &hz->enable : NULL, hz ? &hz->heat : NULL,
					      hz ? &hz->cool : NULL, hz ? &hz->fan : NULL };

		for (int k = 0; k < 4; k++) {
			if (!specs[k][0])
				continue;
			snprintf(u[n].role, sizeof(u[n].role), "%s %s", cz->name, keys[k]);
			u[n].spec = specs[k];
			u[n].active_low = cz->active_low;
			u[n].slot = slots[k];
			n++;
		}
	}
	/* The status light last: it drives nothing that matters for safety. */
	if (cfg->button.present && cfg->button.led[0]) {
		u[n] = (struct line_use){ "status light", cfg->button.led, cfg->button.led_active_low,
					  hw ? &hw->led : NULL };
		n++;
	}
	return n;
}

/* Is this found line one that an earlier role uses already (by another spelling)? */
static bool duplicate_line(const struct gpio_line *l, const struct gpio_line *const *seen, int n_seen,
			   char *err, size_t err_len)
{
	char where[128];

	for (int i = 0; i < n_seen; i++) {
		if (gpio_line_same(l, seen[i])) {
			gpio_line_where(l, where, sizeof(where));
			snprintf(err, err_len, "%s: %s is the line %s uses too (%s)", l->role, where,
				 seen[i]->role, seen[i]->spec);
			return true;
		}
	}
	return false;
}

/* --- The ADC's range ---------------------------------------------------------- */

/*
 * Below this rate a pass over the inputs is slow (a read that switches
 * input waits two conversions): the reader thread keeps the loop on time,
 * but the samples are older and control_hz is bounded lower.
 */
#define ADC_MIN_RATE_SPS 475.0

/*
 * A voltage channel's range must reach the divider's supply: a range that
 * ends below it clips every reading past it to one temperature (with the
 * NTC to ground, a cold pad: the under-temperature check could never
 * fire). Returns 0, or -1 with the refusal in why ("the ADC's full scale
 * is ..."); a rate below ADC_MIN_RATE_SPS is a warning in caution ("" if none).
 */
static int check_adc_range(const struct thermistor_params *tp, struct iio_sensors *set, int index,
			   char *why, size_t why_len, char *caution, size_t caution_len)
{
	struct iio_range r;
	double ohm;

	caution[0] = '\0';
	/* A failed read is reported as such by the read; a processed channel has no range to check. */
	if (iio_sensors_range(set, index, &r) < 0 || !r.known)
		return 0;
	if (isfinite(r.rate_sps) && r.rate_sps < ADC_MIN_RATE_SPS)
		snprintf(caution, caution_len, "sampling_frequency is %.0f SPS, below %.0f: each read that switches "
			 "input waits about %.0f ms in the driver, so the samples are older when the loop uses "
			 "them and control_hz is bounded lower; set 860 SPS: "
			 "dtoverlay=ads1115,cha_datarate=7 (chb_datarate, chc_datarate, chd_datarate for the "
			 "other inputs; docs/wiring.md)", r.rate_sps, ADC_MIN_RATE_SPS, IIO_SENSORS_SWITCH_CONVERSIONS * 1e3 / r.rate_sps);
	if (r.full_scale_mv >= tp->supply_mv)
		return 0;
	char clip[160] = "";

	if (thermistor_mv_to_ohm(tp, r.full_scale_mv, &ohm) == 0)
		snprintf(clip, sizeof(clip), ": anything %s than %.1f C reads %.1f C, and a pad's %s-temperature "
			 "check cannot fire", tp->ntc_to == NTC_TO_GROUND ? "colder" : "warmer",
			 thermistor_ohm_to_c(tp, ohm), thermistor_ohm_to_c(tp, ohm),
			 tp->ntc_to == NTC_TO_GROUND ? "under" : "over");
	snprintf(why, why_len, "the ADC's full scale is %.0f mV (%ld x %g mV), below supply_mv = %.0f: readings "
		 "clip at %.0f mV%s; set the gain to +/-4.096 V: dtoverlay=ads1115,cha_gain=1 (chb_gain=1, "
		 "chc_gain=1, chd_gain=1 for the other inputs; docs/wiring.md)", r.full_scale_mv, r.max_raw,
		 r.scale, tp->supply_mv, r.full_scale_mv, clip);
	return -1;
}

static int add_sensor(struct hw_real *hw, const struct thermistor_params *tp, const char *zone,
		      const char *key, const char *spec, char *err, size_t err_len)
{
	char msg[768], caution[512];
	int i = iio_sensors_add(&hw->sensors, spec, msg, sizeof(msg));

	if (i < 0) {
		snprintf(err, err_len, "zone %s, %s = %s", zone, key, msg);
		return -1;
	}
	if (check_adc_range(tp, &hw->sensors, i, msg, sizeof(msg), caution, sizeof(caution)) < 0) {
		snprintf(err, err_len, "zone %s, %s = %s: %s", zone, key, spec, msg);
		return -1;
	}
	if (caution[0])
		log_warning("zone %s, %s = %s: %s", zone, key, spec, caution);
	return i;
}

int hw_real_open(const struct config *cfg, struct hw *out, char *err, size_t err_len)
{
	struct hw_real *hw = calloc(1, sizeof(*hw));
	struct line_use uses[MAX_ZONES * 4 + 2];
	const struct gpio_line *seen[MAX_ZONES * 4 + 3];
	int n_seen = 0;

	if (!hw) {
		snprintf(err, err_len, "out of memory");
		return -1;
	}
	hw->clock_s = monotonic_s;
	hw->timer_fd = -1;
	hw->tick_s = 1.0 / cfg->daemon.control_hz;
	hw->ask_at_s = INFINITY;
	hw->button_fd = -1;
	hw->n_zones = cfg->n_zones;
	gpio_line_init(&hw->power);
	gpio_line_init(&hw->button_line);
	gpio_line_init(&hw->led);
	for (int z = 0; z < MAX_ZONES; z++) {
		gpio_line_init(&hw->zone[z].heat);
		gpio_line_init(&hw->zone[z].cool);
		gpio_line_init(&hw->zone[z].enable);
		gpio_line_init(&hw->zone[z].fan);
	}
	/* The daemon ticks at control_hz; allow a few missed ticks before the watchdog acts. */
	hw->stale_command_s = fmax(HW_REAL_STALE_COMMAND_S, 3.0 / cfg->daemon.control_hz);

	/* Outputs first, each requested at its inactive value: they stop whatever a crash left on. */
	int n_uses = config_output_lines(cfg, hw, uses);

	for (int i = 0; i < n_uses; i++) {
		struct gpio_line *l = uses[i].slot;

		if (gpio_line_find(l, uses[i].role, uses[i].spec, err, err_len) < 0)
			goto fail;
		if (duplicate_line(l, seen, n_seen, err, err_len))
			goto fail;
		if (gpio_line_request_output(l, uses[i].active_low, err, err_len) < 0)
			goto fail;
		seen[n_seen++] = l;
	}
	hw->has_power = cfg->power_line[0] != '\0';
	hw->pump_mode = hw->has_power && cfg->power_mode == POWER_MODE_CHARGE_PUMP;
	struct charge_pump_params pump;

	charge_pump_params_from(cfg, &pump);
	charge_pump_init(&hw->pump, &pump);
	hw->has_led = cfg->button.present && cfg->button.led[0] != '\0';
	for (int z = 0; z < cfg->n_zones; z++) {
		struct hw_real_zone *zone = &hw->zone[z];
		const struct config_zone *cz = &cfg->zones[z];
		struct bridge_params bp = {
			.period_s = cfg->daemon.pwm_period_s,
			.dead_time_s = cfg->daemon.dead_time_ms / 1000.0,
			.min_pulse_s = BRIDGE_MIN_PULSE_S,
			.has_enable = cz->enable[0] != '\0',
		};

		snprintf(zone->name, sizeof(zone->name), "%s", cz->name);
		zone->has_enable = bp.has_enable;
		zone->has_fan = cz->fan[0] != '\0';
		bridge_init(&zone->bridge, &bp, hw->clock_s());
		zone->out = (struct bridge_out){ .next_edge_s = INFINITY };
	}

	if (cfg->button.present) {
		struct gpio_line *b = &hw->button_line;
		struct button_params bp = {
			.debounce_s = cfg->button.debounce_ms / 1000.0,
			.long_press_s = cfg->button.long_press_s,
		};

		if (gpio_line_find(b, "button", cfg->button.line, err, err_len) < 0 ||
		    duplicate_line(b, seen, n_seen, err, err_len) ||
		    gpio_line_request_events(b, cfg->button.active_low, err, err_len) < 0)
			goto fail;
		int level = gpio_line_get(b);

		if (level < 0) {
			char where[128];

			gpio_line_where(b, where, sizeof(where));
			snprintf(err, err_len, "button: %s: reading it: %s (errno %d)", where, strerror(errno), errno);
			goto fail;
		}
		button_init(&hw->button, &bp, level == 1, hw->clock_s());
		hw->has_button = true;
	}

	for (int i = 0; i < n_uses; i++)
		warn_chip_offset(uses[i].slot, NULL);
	if (hw->has_button)
		warn_chip_offset(&hw->button_line, NULL);
	warn_persisting_outputs(NULL);

	if (iio_sensors_open(&hw->sensors, cfg->daemon.iio_context, err, err_len) < 0)
		goto fail;
	for (int z = 0; z < cfg->n_zones; z++) {
		struct hw_real_zone *zone = &hw->zone[z];
		const struct config_zone *cz = &cfg->zones[z];

		zone->pad2 = -1;
		zone->pad = add_sensor(hw, &cfg->thermistor, cz->name, "pad_sensor", cz->pad_sensor, err, err_len);
		if (zone->pad < 0)
			goto fail;
		if (cz->pad_sensor2[0]) {
			zone->pad2 = add_sensor(hw, &cfg->thermistor, cz->name, "pad_sensor2", cz->pad_sensor2, err,
					       err_len);
			if (zone->pad2 < 0)
				goto fail;
		}
		zone->heatsink = add_sensor(hw, &cfg->thermistor, cz->name, "heatsink_sensor", cz->heatsink_sensor,
					    err, err_len);
		if (zone->heatsink < 0)
			goto fail;
	}
	if (check_read_budget(&hw->sensors, cfg->daemon.control_hz, err, err_len) < 0)
		goto fail;
	hw->pass_estimate_s = iio_sensors_pass_s(&hw->sensors);
	if (iio_reader_start(&hw->reader, &hw->sensors, err, err_len) < 0)
		goto fail;

	hw->timer_fd = timer_create_fd();
	if (hw->timer_fd < 0) {
		snprintf(err, err_len, "hardware timer: timerfd_create: %s", strerror(errno));
		goto fail;
	}
	hw->last_apply_s = hw->clock_s();
	*out = (struct hw){ .ops = &hw_real_ops, .ctx = hw };
	return 0;

fail:
	close_lines(hw);
	iio_reader_stop(&hw->reader);
	iio_sensors_close(&hw->sensors);
	if (hw->timer_fd >= 0)
		close(hw->timer_fd);
	free(hw);
	return -1;
}

/* --- --safe-off ----------------------------------------------------------------- */

int hw_real_safe_off_lines(const struct output_lines *lines)
{
	int rc = 0;

	for (int i = 0; i < lines->n; i++) {
		const struct output_line *o = &lines->line[i];
		struct gpio_line l;
		char err[512], where[128];

		/* The request itself drives the line inactive; the write says so explicitly. */
		if (gpio_output_open(&l, o->role, o->spec, o->active_low, err, sizeof(err)) < 0) {
			log_err("safe-off: %s", err);
			rc = -1;
			continue;
		}
		gpio_line_where(&l, where, sizeof(where));
		if (gpio_line_set(&l, false) < 0) {
			log_err("safe-off: %s: %s: writing it inactive: %s (errno %d)", l.role, where,
				strerror(errno), errno);
			rc = -1;
		} else {
			log_info("safe-off: %s: %s inactive", l.role, where);
		}
		gpio_line_close(&l);
	}
	return rc;
}

int hw_real_safe_off(const struct config *cfg)
{
	struct output_lines lines;

	output_lines_from_config(cfg, &lines);
	return hw_real_safe_off_lines(&lines);
}

/* --- --probe ------------------------------------------------------------------- */

static const char *sensor_keys[] = { "pad", "pad2", "heatsink" };

/* One sensor's line(s) of --probe. Returns false for a problem; a warning adds to *warnings. */
static bool probe_sensor(struct iio_sensors *set, bool have_ctx, const struct config *cfg,
			 const char *role, const char *spec, FILE *out, int *warnings)
{
	const struct thermistor_params *tp = &cfg->thermistor;
	struct sensor_sample s;
	struct reading r;
	char msg[768], caution[512];

	if (!have_ctx) {
		fprintf(out, "%s: %s: not read: no IIO context (see above)\n", role, spec);
		return false;
	}
	int i = iio_sensors_add(set, spec, msg, sizeof(msg));

	if (i < 0) {
		fprintf(out, "%s: %s\n", role, msg);
		return false;
	}
	int rc = iio_sensors_read(set, i, 0.0, &s);

	if (rc < 0) {
		fprintf(out, "%s: %s: the read failed: %s\n", role, spec,
			rc == -EINVAL ? "the attribute is not a number" : strerror(-rc));
		return false;
	}
	/* The range first: a clipped reading would look plausible. */
	int range = check_adc_range(tp, set, i, msg, sizeof(msg), caution, sizeof(caution));

	if (caution[0]) {
		fprintf(out, "%s: %s: warning: %s\n", role, spec, caution);
		(*warnings)++;
	}
	if (range < 0) {
		fprintf(out, "%s: %s = %.1f mV: %s\n", role, spec, s.value, msg);
		return false;
	}
	sensor_interpret(tp, &s, &r);
	if (s.unit == SAMPLE_C) {
		if (r.status == READING_OK) {
			fprintf(out, "%s: %s = %.2f C\n", role, spec, s.value);
			return true;
		}
		fprintf(out, "%s: %s = %.2f C: implausible, expected %.0f..%.0f C (%s)\n", role, spec, s.value,
			NTC_PLAUSIBLE_MIN_C, NTC_PLAUSIBLE_MAX_C, reading_status_name(r.status));
		return false;
	}
	switch (r.status) {
	case READING_OK:
		fprintf(out, "%s: %s = %.1f mV -> %.2f kOhm -> %.2f C\n", role, spec, s.value, r.ohm / 1000.0,
			r.temp_c);
		return true;
	case READING_OPEN:
	case READING_SHORT: {
		double a = thermistor_ohm_to_mv(tp, thermistor_c_to_ohm(tp, NTC_PLAUSIBLE_MIN_C));
		double b = thermistor_ohm_to_mv(tp, thermistor_c_to_ohm(tp, NTC_PLAUSIBLE_MAX_C));

		fprintf(out, "%s: %s = %.1f mV: the NTC reads %s; expected %.0f..%.0f mV (an NTC between "
			"%.0f and %.0f C)\n", role, spec, s.value,
			r.status == READING_OPEN ? "open (not connected, or a broken wire)" : "shorted",
			fmin(a, b), fmax(a, b), NTC_PLAUSIBLE_MIN_C, NTC_PLAUSIBLE_MAX_C);
		return false;
	}
	case READING_FAILED:
		break;
	}
	fprintf(out, "%s: %s = %.1f mV: cannot be turned into a temperature (check [thermistor])\n", role,
		spec, s.value);
	return false;
}

static bool probe_line(struct gpio_line *l, const char *role, const char *spec, bool is_button,
		       bool active_low, const struct gpio_line *const *seen, int n_seen, FILE *out)
{
	struct gpio_line_info info;
	char err[512], where[128];

	if (gpio_line_find(l, role, spec, err, sizeof(err)) < 0) {
		fprintf(out, "%s\n", err);
		return false;
	}
	if (duplicate_line(l, seen, n_seen, err, sizeof(err))) {
		fprintf(out, "%s: expected a line of its own\n", err);
		return false;
	}
	gpio_line_where(l, where, sizeof(where));
	if (gpio_line_info(l, &info) < 0) {
		fprintf(out, "%s: %s: reading its state: %s\n", role, where, strerror(errno));
		return false;
	}
	fprintf(out, "%s: %s", role, where);
	if (info.name[0] && strcmp(info.name, spec) != 0)
		fprintf(out, " \"%s\"", info.name);
	fprintf(out, ": %s", info.is_output ? "output" : "input");
	if (info.used && strcmp(info.consumer, GPIO_CONSUMER) == 0) {
		fprintf(out, ", held by %s (the daemon is running)\n", GPIO_CONSUMER);
		return true;
	}
	if (info.used) {
		if (info.consumer[0])
			fprintf(out, ", held by \"%s\": expected free for %s\n", info.consumer, GPIO_CONSUMER);
		else
			fprintf(out, ", used by the kernel or an unlabelled process: expected free for %s\n",
				GPIO_CONSUMER);
		return false;
	}
	if (!is_button) {
		fprintf(out, ", free\n");
		return true;
	}
	/* The button only: reading it as an input energises nothing. */
	if (gpio_line_request_input(l, active_low, err, sizeof(err)) < 0) {
		fprintf(out, ", free, but %s\n", err);
		return false;
	}
	int level = gpio_line_get(l);

	if (level < 0)
		fprintf(out, ", free, but reading it failed: %s\n", strerror(errno));
	else if (level == 1)
		fprintf(out, ", free, reads pressed (held now? if not, check active_low and the pull-%s)\n",
			active_low ? "up" : "down");
	else
		fprintf(out, ", free, reads released\n");
	return level >= 0;
}

int hw_real_probe(const struct config *cfg, FILE *out)
{
	static struct iio_sensors set;  /* large; --probe runs once */
	struct line_use uses[MAX_ZONES * 4 + 2];
	struct gpio_line lines[MAX_ZONES * 4 + 2];
	const struct gpio_line *seen[MAX_ZONES * 4 + 3];
	int problems = 0, warnings = 0, n_seen = 0;
	char err[512], have[512];

	bool have_ctx = iio_sensors_open(&set, cfg->daemon.iio_context, err, sizeof(err)) == 0;

	if (have_ctx) {
		iio_sensors_describe_context(&set, have, sizeof(have));
		fprintf(out, "IIO context \"%s\": %s\n", cfg->daemon.iio_context, have);
	} else {
		fprintf(out, "%s\n", err);
		problems++;
	}
	fprintf(out, "GPIO: %s\n", gpio_lines_library());
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct config_zone *cz = &cfg->zones[z];
		const char *specs[] = { cz->pad_sensor, cz->pad_sensor2, cz->heatsink_sensor };

		for (int k = 0; k < 3; k++) {
			char role[64];

			if (!specs[k][0])
				continue;
			snprintf(role, sizeof(role), "%s %s", cz->name, sensor_keys[k]);
			if (!probe_sensor(&set, have_ctx, cfg, role, specs[k], out, &warnings))
				problems++;
		}
	}
	if (have_ctx && set.n > 0) {
		char why[1024];

		if (check_read_budget(&set, cfg->daemon.control_hz, why, sizeof(why)) < 0) {
			fprintf(out, "sensor reads: %s\n", why);
			problems++;
		} else {
			fprintf(out, "sensor reads: about %.0f ms for all %d at their data rates: within %.0f ms of "
				"each %.0f ms period (control_hz = %g)\n", iio_sensors_pass_s(&set) * 1e3, set.n,
				HW_REAL_READ_BUDGET * 1e3 / cfg->daemon.control_hz, 1e3 / cfg->daemon.control_hz,
				cfg->daemon.control_hz);
		}
	}
	iio_sensors_close(&set);

	int n = config_output_lines(cfg, NULL, uses);

	for (int i = 0; i <= n; i++) {
		bool is_button = i == n;

		if (is_button && !cfg->button.present)
			break;
		struct gpio_line *l = &lines[n_seen];
		bool ok = is_button ?
			probe_line(l, "button", cfg->button.line, true, cfg->button.active_low, seen, n_seen, out) :
			probe_line(l, uses[i].role, uses[i].spec, false, uses[i].active_low, seen, n_seen, out);

		if (!ok)
			problems++;
		warnings += warn_chip_offset(l, out);
		if (gpio_line_found(l))
			seen[n_seen++] = l;
		else
			gpio_line_close(l);
	}
	for (int i = 0; i < n_seen; i++)
		gpio_line_close(&lines[i]);
	warnings += warn_persisting_outputs(out);

	char warned[32] = "";

	if (warnings)
		snprintf(warned, sizeof(warned), ", %d warning%s", warnings, warnings == 1 ? "" : "s");
	if (problems)
		fprintf(out, "probe: %d problem%s%s\n", problems, problems == 1 ? "" : "s", warned);
	else
		fprintf(out, "probe: all well%s\n", warned);
	fflush(out);
	return problems ? 2 : 0;
}
