/* SPDX-License-Identifier: MIT */
/*
 * The real hardware adapter (src/hw/hw_real.c and the gpio_lines
 * adapter of the build) against the mock chip of gpio_mock_chip.h and a
 * mock of libiio's context creation and attribute reads (an XML context,
 * so the real lookup code runs). Shared by test_gpio_mock_v1.c and
 * test_gpio_mock_v2.c, which put their libgpiod's calls onto the chip:
 * the same promises, checked on both APIs.
 *
 * Time is a fake clock (hw_real_set_clock) offset from the real
 * monotonic one; the loop's handlers are called directly.
 *
 * Include after gpio_mock_chip.h; GPIO_MOCK_HW_REAL_TESTS lists the tests.
 */
#ifndef CONTRASTD_GPIO_MOCK_HW_REAL_H
#define CONTRASTD_GPIO_MOCK_HW_REAL_H

#include <errno.h>
#include <iio.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include "core/button.h"
#include "daemon/config_parse.h"
#include "hw/gpio_lines.h"
#include "hw/hw.h"
#include "hw/hw_real.h"
#include "hw/output_lines.h"
#include "daemon/safe_off.h"

/* --- The mock IIO context ---------------------------------------------------- */

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
	"filename=\"in_voltage" #n "_raw\"/><attribute name=\"scale\" filename=\"in_voltage" #n "_scale\"/>" \
	"<attribute name=\"sampling_frequency\" filename=\"in_voltage" #n "_sampling_frequency\"/></channel>"

static const char iio_xml[] = "<?xml version=\"1.0\" encoding=\"utf-8\"?>" DTD
	"<context name=\"xml\" version-major=\"0\" version-minor=\"24\" version-git=\"v0.24\">"
	"<device id=\"iio:device0\" name=\"ads1015\">" CHANNEL(0) CHANNEL(1) CHANNEL(2) CHANNEL(3)
	"</device></context>";

static const char *iio_failing_channel;        /* reads of this channel fail with EIO */
static const char *iio_scale_channel;          /* this channel has iio_scale ... */
static const char *iio_scale, *iio_rate;       /* ... every channel iio_rate */

struct iio_context *__wrap_iio_create_context_from_uri(const char *uri);
ssize_t __wrap_iio_channel_attr_read(const struct iio_channel *chn, const char *attr, char *dst, size_t len);

struct iio_context *__wrap_iio_create_context_from_uri(const char *uri)
{
	assert_string_equal(uri, "local:");
	return iio_create_xml_context_mem(iio_xml, sizeof(iio_xml) - 1);
}

ssize_t __wrap_iio_channel_attr_read(const struct iio_channel *chn, const char *attr, char *dst, size_t len)
{
	const char *id = iio_channel_get_id(chn);
	const char *v = NULL;

	if (iio_failing_channel && strcmp(id, iio_failing_channel) == 0)
		return -EIO;
	if (strcmp(attr, "raw") == 0)
		v = "13200";            /* 1650 mV at 0.125 mV per count: 25 C */
	else if (strcmp(attr, "scale") == 0)
		v = iio_scale_channel && strcmp(id, iio_scale_channel) == 0 ? iio_scale : "0.125000000";
	else if (strcmp(attr, "sampling_frequency") == 0)
		v = iio_rate;
	if (!v)
		return -ENOENT;
	snprintf(dst, len, "%s", v);
	return (ssize_t)strlen(v) + 1;
}

/* --- Fixtures ------------------------------------------------------------------ */

static const char config_text[] =
	"[daemon]\n"
	"pwm_period_s = 1.0\n"
	"dead_time_ms = 200\n"
	"[button]\n"
	"line = GPIO26\n"
	"active_low = yes\n"
	"debounce_ms = 30\n"
	"long_press_s = 2\n"
	"[zone left]\n"
	"heat = GPIO17\n"
	"cool = GPIO27\n"
	"enable = GPIO22\n"
	"fan = GPIO5\n"
	"pad_sensor = ads1015/voltage0\n"
	"heatsink_sensor = ads1015/voltage1\n"
	"[zone right]\n"
	"heat = GPIO23\n"
	"cool = GPIO24\n"
	"fan = gpiochip0:6\n"
	"active_low = yes\n"
	"pad_sensor = ads1015/voltage2\n"
	"heatsink_sensor = ads1015/voltage3\n"
	"[safety]\n"
	"power = GPIO16\n"
	"power_active_low = yes\n";

static struct config cfg;

static void load_config(const char *text)
{
	struct config_error err;

	if (config_parse_string(text, "test.conf", &cfg, &err) < 0) {
		print_error("%s\n", err.msg);
		fail();
	}
}

/* A config with one line replaced ("heat = GPIO17" -> "heat = GPIO99"). */
static void load_config_with(const char *from, const char *to)
{
	char text[2048];
	const char *at = strstr(config_text, from);

	assert_non_null(at);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - config_text), config_text, to, at + strlen(from));
	load_config(text);
}

struct press {
	enum button_event ev;
	double at_s;
};
static struct press presses[16];
static int n_presses;

static void on_press(void *arg, enum button_event ev, double now_s)
{
	(void)arg;
	if (n_presses < 16)
		presses[n_presses++] = (struct press){ ev, now_s };
}

struct rig {
	struct hw hw;
	struct loop loop;
	int timer_fd;
};

static void rig_open(struct rig *r)
{
	char err[512];

	if (hw_real_open(&cfg, &r->hw, err, sizeof(err)) < 0) {
		print_error("%s\n", err);
		fail();
	}
	hw_real_set_clock(&r->hw, fake_clock);
	assert_int_equal(loop_init(&r->loop), 0);
	struct hw_events ev = { .button = on_press, .arg = NULL };

	assert_non_null(r->hw.ops->attach);
	assert_int_equal(r->hw.ops->attach(r->hw.ctx, &r->loop, &ev), 0);
	/* The PWM timer, the button and the sensor reader's eventfd. */
	assert_int_equal(r->loop.n_fds, 3);
	r->timer_fd = -1;
	for (int i = 0; i < r->loop.n_fds; i++) {
		struct itimerspec its;

		if (timerfd_gettime(r->loop.fds[i].fd, &its) == 0)
			r->timer_fd = r->loop.fds[i].fd;
	}
	assert_true(r->timer_fd >= 0);
	n_presses = 0;
}

static void rig_close(struct rig *r)
{
	r->hw.ops->close(r->hw.ctx);
	assert_int_equal(r->loop.n_fds, 0);     /* close took its fds out of the loop */
	loop_finalise(&r->loop);
	for (int i = 0; i < N_LINES; i++)
		assert_false(lines[i].requested);
	assert_int_equal(chip_opens, chip_closes);
}

/* Run the loop's handler for fd at test time x, as epoll would. */
static void fire(struct rig *r, int fd, double x)
{
	/*
	 * A timer fires at or after its deadline, never before it; at a large
	 * clock base T(x) can round a few ulps short of the deadline the code
	 * computed as (base + a) + b, so the timer's wake-up comes 0.5 ns late.
	 */
	fake_now_s = fd == r->timer_fd ? T(x) + 5e-10 : T(x);
	for (int i = 0; i < r->loop.n_fds; i++) {
		if (r->loop.fds[i].fd == fd) {
			r->loop.fds[i].handler(fd, EPOLLIN, r->loop.fds[i].arg);
			return;
		}
	}
	fail_msg("fd %d is not in the loop", fd);
}

/*
 * The timer at a deadline, as the kernel delivers it: a hair after (hw_real
 * arms it TIMER_MARGIN_S late), so a deadline computed as start + length
 * and the test's own T(x) never differ by the few ulps that would make a
 * due event wait (at some uptimes, T(40.2) + 0.03 < T(40.23)).
 */
static void fire_timer(struct rig *r, double x)
{
	fire(r, r->timer_fd, x + 1e-9);
}

/* How long until the hardware timer expires (s), or -1 when disarmed. */
static double timer_left_s(const struct rig *r)
{
	struct itimerspec its;

	assert_int_equal(timerfd_gettime(r->timer_fd, &its), 0);
	if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
		return -1.0;
	return (double)its.it_value.tv_sec + its.it_value.tv_nsec * 1e-9;
}

static int apply_at(struct rig *r, double x, double left, double right, bool power, int *failed)
{
	struct tick_outputs out;
	int zone = -99;

	memset(&out, 0, sizeof(out));
	out.duty[0] = left;
	out.duty[1] = right;
	out.fan[0] = left != 0.0;
	out.fan[1] = right != 0.0;
	out.power = power;
	fake_now_s = T(x);
	int rc = r->hw.ops->apply(r->hw.ctx, 0.0, &out, &zone);

	if (failed)
		*failed = zone;
	return rc;
}

static int value(unsigned int offset)
{
	return lines[offset].value;
}

static int setup(void **state)
{
	(void)state;
	mock_reset();
	iio_failing_channel = NULL;
	iio_scale_channel = NULL;
	iio_rate = "860";
	load_config(config_text);
	return 0;
}

/* --- Tests ------------------------------------------------------------------- */

/* Every output requested inactive, with the label and the active-low flags; the power line first. */
static void test_open_requests_inactive(void **state)
{
	static const unsigned int outputs[] = { POWER, L_EN, L_HEAT, L_COOL, L_FAN, R_HEAT, R_COOL, R_FAN };
	struct rig r;

	(void)state;
	rig_open(&r);
	assert_int_equal(rec[0].op, OP_REQUEST);
	assert_int_equal(rec[0].offset, POWER);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		const struct mock_line *l = &lines[outputs[i]];
		bool active_low = outputs[i] == POWER || outputs[i] == R_HEAT || outputs[i] == R_COOL ||
			outputs[i] == R_FAN;

		assert_true(l->requested && l->output);
		assert_string_equal(l->consumer, "contrastd");
		assert_int_equal(l->value, 0);
		assert_int_equal(l->active_low, active_low);
		assert_int_equal(l->bias, MOCK_BIAS_AS_IS);
	}
	/* Nothing was written active while opening: only the requests at 0. */
	for (int i = 0; i < n_rec; i++) {
		assert_int_equal(rec[i].op, OP_REQUEST);
		assert_int_equal(rec[i].value, 0);
	}
	assert_int_equal(n_rec, 8);
	/* The button: both edges, active-low with the pull-up. */
	assert_true(lines[BUTTON].requested && lines[BUTTON].events);
	assert_true(lines[BUTTON].active_low);
	assert_int_equal(lines[BUTTON].bias, MOCK_PULL_UP);
	assert_string_equal(lines[BUTTON].consumer, "contrastd");
	/* Nothing to do yet: the timer is disarmed. */
	assert_near(timer_left_s(&r), -1.0, 0.0);
	rig_close(&r);
	/* Closing left every output inactive before releasing it. */
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		assert_int_equal(lines[outputs[i]].value, 0);
}

static void expect_open_error(const char *want1, const char *want2)
{
	struct hw hw;
	char err[512];

	assert_int_equal(hw_real_open(&cfg, &hw, err, sizeof(err)), -1);
	assert_contains(err, want1);
	if (want2)
		assert_contains(err, want2);
	/* Nothing stays requested or open. */
	for (int i = 0; i < N_LINES; i++)
		assert_false(lines[i].requested);
	assert_int_equal(chip_opens, chip_closes);
}

static void test_open_errors_name_line_chip_offset_errno(void **state)
{
	(void)state;
	load_config_with("heat = GPIO17", "heat = GPIO99");
	expect_open_error("left heat: GPIO99: no GPIO line by that name on any chip", NULL);

	setup(NULL);
	snprintf(lines[L_COOL].other, sizeof(lines[L_COOL].other), "gpio-fan");
	expect_open_error("left cool: GPIO27 (gpiochip0:27): cannot request it as an output: "
			  "Device or resource busy (errno 16): held by \"gpio-fan\"", NULL);

	setup(NULL);
	load_config_with("fan = gpiochip0:6", "fan = gpiochip0:60");
	expect_open_error("right fan: gpiochip0:60: gpiochip0 has 54 lines (offsets 0..53), no offset 60", NULL);

	setup(NULL);
	load_config_with("fan = gpiochip0:6", "fan = gpiochip7:6");
	expect_open_error("right fan: gpiochip7:6: no GPIO chip 'gpiochip7'", NULL);

	/* The same line by two spellings, which the config parser cannot know. */
	setup(NULL);
	load_config_with("fan = gpiochip0:6", "fan = 0:17");
	expect_open_error("right fan: 0:17 (gpiochip0:17) is the line left heat uses too (GPIO17)", NULL);

	setup(NULL);
	load_config_with("line = GPIO26", "line = 0:5");
	expect_open_error("button: 0:5 (gpiochip0:5) is the line left fan uses too (GPIO5)", NULL);

	/* Sensors are looked up at start too. */
	setup(NULL);
	load_config_with("heatsink_sensor = ads1015/voltage3", "heatsink_sensor = ads1015/voltage9");
	expect_open_error("zone right, heatsink_sensor = ads1015/voltage9: IIO device ads1015 (iio:device0) "
			  "has no input channel 'voltage9' (it has: ", "voltage3");
}

/* The PWM in time, with enable (left) and on the polarity line (right, active-low). */
static void test_pwm_edges_in_time(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r);
	assert_int_equal(apply_at(&r, 10.0, 0.25, -0.6, true, NULL), 0);
	assert_int_equal(value(POWER), 1);
	assert_int_equal(value(L_HEAT), 1);
	assert_int_equal(value(L_EN), 1);
	assert_int_equal(value(L_COOL), 0);
	assert_int_equal(value(L_FAN), 1);
	assert_int_equal(value(R_COOL), 1);
	assert_int_equal(value(R_HEAT), 0);
	/* The timer is armed for the first edge, 0.25 s on. */
	assert_near(timer_left_s(&r), 0.25, 0.05);
	fire(&r, r.timer_fd, 10.25);
	assert_int_equal(value(L_EN), 0);
	assert_int_equal(value(L_HEAT), 1);     /* the polarity line stays */
	assert_int_equal(value(R_COOL), 1);
	assert_near(timer_left_s(&r), 0.35, 0.05);
	fire(&r, r.timer_fd, 10.6);
	assert_int_equal(value(R_COOL), 0);     /* without enable the polarity line pulses */
	assert_near(timer_left_s(&r), 0.4, 0.05);
	fire(&r, r.timer_fd, 11.0);
	assert_int_equal(value(L_EN), 1);
	assert_int_equal(value(R_COOL), 1);
	/* Ticks in between change nothing on the lines. */
	int before = n_rec;

	assert_int_equal(apply_at(&r, 11.1, 0.25, -0.6, true, NULL), 0);
	assert_int_equal(n_rec, before);
	/* Every write happened at an edge time. */
	for (int i = 0; i < n_rec; i++) {
		double x = rec[i].t_s - base_s;

		if (rec[i].op == OP_SET)
			assert_true(fabs(x - 10.0) < 1e-9 || fabs(x - 10.25) < 1e-9 ||
				    fabs(x - 10.6) < 1e-9 || fabs(x - 11.0) < 1e-9);
	}
	rig_close(&r);
}

/* A polarity change drops power, waits the dead time with both lines off, then switches. */
static void test_polarity_change_dead_time_on_the_lines(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r);
	assert_int_equal(apply_at(&r, 10.0, 0.5, 0.5, true, NULL), 0);
	int mark = n_rec;

	assert_int_equal(apply_at(&r, 10.1, -0.5, -0.5, true, NULL), 0);
	/* The order of the writes: left enable off, then heat off; right heat off. */
	assert_int_equal(rec[mark].offset, L_EN);
	assert_int_equal(rec[mark].value, 0);
	assert_int_equal(rec[mark + 1].offset, L_HEAT);
	assert_int_equal(rec[mark + 1].value, 0);
	assert_int_equal(rec[mark + 2].offset, R_HEAT);
	assert_int_equal(rec[mark + 2].value, 0);
	assert_int_equal(value(L_COOL), 0);
	assert_int_equal(value(R_COOL), 0);
	assert_near(timer_left_s(&r), 0.2, 0.05);
	/* A tick inside the dead time switches nothing on. */
	assert_int_equal(apply_at(&r, 10.2, -0.5, -0.5, true, NULL), 0);
	assert_int_equal(value(L_COOL), 0);
	fire(&r, r.timer_fd, 10.3);
	/* Then: polarity first, enable last. */
	assert_int_equal(value(L_COOL), 1);
	assert_int_equal(value(L_EN), 1);
	assert_int_equal(value(R_COOL), 1);
	int i_cool = -1, i_en = -1;

	for (int i = mark; i < n_rec; i++) {
		if (rec[i].offset == L_COOL && rec[i].value == 1)
			i_cool = i;
		if (rec[i].offset == L_EN && rec[i].value == 1)
			i_en = i;
	}
	assert_true(i_cool >= 0 && i_en > i_cool);
	assert_near(rec[i_cool].t_s - base_s, 10.3, 1e-9);
	assert_true(interlock_checks > 10);
	rig_close(&r);
}

/* A randomized run: the interlock and dead time (checked in the mock at every write) hold throughout. */
static void test_random_run_keeps_interlock_on_the_lines(void **state)
{
	struct rig r;
	uint64_t x = 88172645463325252ULL;
	double t = 10.0;

	(void)state;
	rig_open(&r);
	for (int i = 0; i < 3000; i++) {
		double duty[2];

		for (int z = 0; z < 2; z++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			double u = (double)(x >> 11) / 9007199254740992.0;

			duty[z] = u < 0.2 ? 0.0 : u < 0.6 ? (u - 0.4) * 5.0 : -(u - 0.6) * 2.5;
		}
		/* The timer's edges before the next tick, then the tick. */
		double next = t + 0.1;

		for (int k = 0; k < 10 && timer_left_s(&r) >= 0.0; k++) {
			double edge = fake_now_s - base_s + timer_left_s(&r);

			if (edge > next)
				break;
			fire(&r, r.timer_fd, edge);
		}
		assert_int_equal(apply_at(&r, next, duty[0], duty[1], true, NULL), 0);
		t = next;
	}
	assert_true(interlock_checks > 1000);
	rig_close(&r);
}

/* Without power, every bridge gets duty 0 whatever the duty says. */
static void test_no_power_no_drive(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r);
	assert_int_equal(apply_at(&r, 10.0, 1.0, -1.0, false, NULL), 0);
	assert_int_equal(value(POWER), 0);
	assert_int_equal(value(L_HEAT), 0);
	assert_int_equal(value(L_EN), 0);
	assert_int_equal(value(R_COOL), 0);
	rig_close(&r);
}

/* A failed write: apply returns -1 with the zone; all_off still tries every line. */
static void test_write_error_then_all_off_tries_every_line(void **state)
{
	static const unsigned int outputs[] = { POWER, L_EN, L_HEAT, L_COOL, L_FAN, R_HEAT, R_COOL, R_FAN };
	struct rig r;
	int zone;

	(void)state;
	rig_open(&r);
	assert_int_equal(apply_at(&r, 10.0, 0.5, 0.5, true, NULL), 0);
	lines[L_HEAT].set_errno = EIO;
	assert_int_equal(apply_at(&r, 10.1, -0.5, 0.5, true, &zone), -1);
	assert_int_equal(zone, 0);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++)
		lines[outputs[i]].set_attempts = 0;
	assert_int_equal(r.hw.ops->all_off(r.hw.ctx), -1);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		assert_int_equal(lines[outputs[i]].set_attempts, 1);
		if (outputs[i] != L_HEAT)
			assert_int_equal(value(outputs[i]), 0);
	}
	/* The power line went first. */
	int first_set = -1;

	for (int i = n_rec - 1; i >= 0 && rec[i].op == OP_SET; i--)
		first_set = i;
	assert_int_equal(rec[first_set].offset, POWER);
	lines[L_HEAT].set_errno = 0;
	assert_int_equal(r.hw.ops->all_off(r.hw.ctx), 0);
	assert_int_equal(value(L_HEAT), 0);
	assert_near(timer_left_s(&r), -1.0, 0.0);

	/* The power line's failure is zone -1. */
	lines[POWER].set_errno = EIO;
	assert_int_equal(apply_at(&r, 11.0, 0.5, 0.5, true, &zone), -1);
	assert_int_equal(zone, -1);
	lines[POWER].set_errno = 0;
	rig_close(&r);
}

/* A write that fails at a PWM edge: everything off at once, reported by the next apply. */
static void test_write_error_between_ticks(void **state)
{
	struct rig r;
	int zone;

	(void)state;
	rig_open(&r);
	assert_int_equal(apply_at(&r, 10.0, 0.3, 0.3, true, NULL), 0);
	fire(&r, r.timer_fd, 10.3);
	lines[L_EN].set_errno = EIO;
	fire(&r, r.timer_fd, 11.0);             /* enable on: fails */
	assert_int_equal(value(POWER), 0);
	assert_int_equal(value(L_HEAT), 0);
	assert_int_equal(value(R_HEAT), 0);
	assert_near(timer_left_s(&r), -1.0, 0.0);
	assert_int_equal(apply_at(&r, 11.05, 0.3, 0.3, true, &zone), -1);
	assert_int_equal(zone, 0);
	lines[L_EN].set_errno = 0;
	/* The next apply drives again (the controller has tripped by then and sends zeros). */
	assert_int_equal(apply_at(&r, 11.1, 0.0, 0.0, false, &zone), 0);
	rig_close(&r);
}

/* Nothing stays on because a command never came. */
static void test_stale_command_stops_the_bridges(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r);
	assert_int_equal(apply_at(&r, 10.0, 1.0, -1.0, true, NULL), 0);
	assert_int_equal(value(L_EN), 1);
	assert_int_equal(value(R_COOL), 1);
	/* Full duty has no edges: the timer is armed for the watchdog only. */
	assert_near(timer_left_s(&r), HW_REAL_STALE_COMMAND_S, 0.05);
	fire(&r, r.timer_fd, 10.0 + HW_REAL_STALE_COMMAND_S);
	assert_int_equal(value(POWER), 0);
	assert_int_equal(value(L_EN), 0);
	assert_int_equal(value(L_HEAT), 0);
	assert_int_equal(value(R_COOL), 0);
	assert_near(timer_left_s(&r), -1.0, 0.0);
	rig_close(&r);
}

/* The button through its fd: a bouncy short press, then a long press at its moment. */
static void test_button_through_the_fd(void **state)
{
	struct rig r;

	(void)state;
	rig_open(&r);
	/* Press with bounce, released 300 ms later with bounce. */
	button_edge_at(true, 20.000);
	button_edge_at(false, 20.002);
	button_edge_at(true, 20.004);
	fire(&r, button_pipe[0], 20.005);
	assert_int_equal(n_presses, 0);
	assert_near(timer_left_s(&r), 0.029, 0.01);    /* debounce: 20.004 + 30 ms */
	fire_timer(&r, 20.034);
	button_edge_at(false, 20.300);
	button_edge_at(true, 20.301);
	button_edge_at(false, 20.303);
	fire(&r, button_pipe[0], 20.304);
	assert_int_equal(n_presses, 0);
	fire_timer(&r, 20.333);
	assert_int_equal(n_presses, 1);
	assert_int_equal(presses[0].ev, BUTTON_SHORT_PRESS);
	assert_near(presses[0].at_s, T(20.333), 1e-6);

	/* A long press: reported when held 2 s, by the timer, not on release. */
	button_edge_at(true, 30.0);
	fire(&r, button_pipe[0], 30.001);
	fire_timer(&r, 30.03);
	assert_near(timer_left_s(&r), 1.97, 0.05);
	fire_timer(&r, 32.0);
	assert_int_equal(n_presses, 2);
	assert_int_equal(presses[1].ev, BUTTON_LONG_PRESS);
	assert_near(presses[1].at_s, T(32.0), 1e-6);
	button_edge_at(false, 35.0);
	fire(&r, button_pipe[0], 35.0);
	fire_timer(&r, 35.03);
	assert_int_equal(n_presses, 2);

	/* Edges the kernel dropped: the level read after the queue puts it right. */
	lines[BUTTON].level = 1;
	fire(&r, button_pipe[0], 40.0);
	lines[BUTTON].level = 0;
	fire(&r, button_pipe[0], 40.2);
	fire_timer(&r, 40.23);
	assert_int_equal(n_presses, 3);
	assert_int_equal(presses[2].ev, BUTTON_SHORT_PRESS);

	/* A timestamp in another clock (CLOCK_REALTIME before Linux 5.7) is dated now. */
	button_edge_at(true, 50.0);
	queue[q_tail - 1].ts.tv_sec += 1700000000;
	fire(&r, button_pipe[0], 50.0);
	button_edge_at(false, 50.1);
	queue[q_tail - 1].ts.tv_sec += 1700000000;
	fire(&r, button_pipe[0], 50.1);
	fire_timer(&r, 50.13);
	assert_int_equal(n_presses, 4);
	assert_int_equal(presses[3].ev, BUTTON_SHORT_PRESS);
	rig_close(&r);
}

/* --safe-off: every output line requested inactive, written inactive, released; past failures. */
static void test_safe_off(void **state)
{
	static const unsigned int order[] = { POWER, L_EN, L_HEAT, L_COOL, L_FAN, R_HEAT, R_COOL, R_FAN };

	(void)state;
	assert_int_equal(hw_real_safe_off(&cfg), 0);
	int k = 0;

	for (int i = 0; i < n_rec; i += 3, k++) {
		assert_int_equal(rec[i].op, OP_REQUEST);
		assert_int_equal(rec[i].offset, order[k]);
		assert_int_equal(rec[i].value, 0);
		assert_int_equal(rec[i + 1].op, OP_SET);
		assert_int_equal(rec[i + 1].value, 0);
		assert_int_equal(rec[i + 2].op, OP_RELEASE);
	}
	assert_int_equal(k, 8);
	assert_false(lines[BUTTON].requested);  /* the button is no output */
	assert_int_equal(chip_opens, chip_closes);

	/* A line held elsewhere and one that cannot be written: -1, and every other line done. */
	setup(NULL);
	snprintf(lines[L_HEAT].other, sizeof(lines[L_HEAT].other), "someone");
	lines[R_COOL].set_errno = EIO;
	assert_int_equal(hw_real_safe_off(&cfg), -1);
	for (size_t i = 0; i < 8; i++) {
		if (order[i] == L_HEAT)
			continue;
		assert_true(lines[order[i]].set_attempts >= 1);
		assert_false(lines[order[i]].requested);
		if (order[i] != R_COOL)
			assert_int_equal(value(order[i]), 0);
	}
	/* R_COOL's request itself drove it inactive. */
	assert_int_equal(value(R_COOL), 0);
	assert_int_equal(chip_opens, chip_closes);
}

/* Write text to dir/name; returns the path in path. */
static void write_file(const char *dir, const char *name, const char *text, char *path, size_t len)
{
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * contrastd --safe-off on a config with errors in several sections: every
 * line is driven inactive (exit 0); the right zone, whose header the
 * lenient parse refuses, from the record of the lines claimed.
 */
static void test_safe_off_broken_config(void **state)
{
	static const unsigned int outputs[] = { POWER, L_EN, L_HEAT, L_COOL, L_FAN, R_HEAT, R_COOL, R_FAN };
	char dir[] = "/tmp/contrastd-safeoff-XXXXXX", path[256], record[256], err[256], text[4096];
	struct output_lines claimed;

	(void)state;
	assert_non_null(mkdtemp(dir));
	/* The record, as the daemon wrote it at its start with the good config. */
	output_lines_from_config(&cfg, &claimed);
	snprintf(path, sizeof(path), "%s/control.sock", dir);
	output_lines_record_path(path, record, sizeof(record));
	assert_int_equal(output_lines_write(record, &claimed, err, sizeof(err)), 0);

	/* The config since edited: an unknown key, a value past a hard limit, a refused header. */
	const char *right = strstr(config_text, "[zone right]");

	assert_non_null(right);
	snprintf(text, sizeof(text), "%.*s[zone right!]%s[program]\nwarm_c = 52\n[daemon]\nbogus = 1\n"
		 "socket = %s/control.sock\n", (int)(right - config_text), config_text,
		 right + strlen("[zone right]"), dir);
	write_file(dir, "broken.conf", text, path, sizeof(path));
	assert_int_equal(safe_off_run(path), SAFE_OFF_OK);
	for (size_t i = 0; i < sizeof(outputs) / sizeof(outputs[0]); i++) {
		assert_true(lines[outputs[i]].set_attempts >= 1);
		assert_false(lines[outputs[i]].requested);
		assert_int_equal(value(outputs[i]), 0);
	}
	assert_false(lines[BUTTON].requested);  /* the button is no output */
	assert_int_equal(chip_opens, chip_closes);

	/* A line held by someone else: exit 2, the others still driven. */
	setup(NULL);
	snprintf(lines[L_HEAT].other, sizeof(lines[L_HEAT].other), "someone");
	assert_int_equal(safe_off_run(path), SAFE_OFF_FAILED);
	assert_int_equal(value(R_FAN), 0);
	assert_true(lines[R_FAN].set_attempts >= 1);

	unlink(path);
	unlink(record);
	rmdir(dir);
}

static void probe_output(char *buf, size_t len, int *rc)
{
	FILE *f = fmemopen(buf, len, "w");

	assert_non_null(f);
	*rc = hw_real_probe(&cfg, f);
	fclose(f);
}

/* --probe: inspects outputs without requesting them, reads the sensors and the button. */
static void test_probe(void **state)
{
	char out[8192];
	int rc;

	(void)state;
	probe_output(out, sizeof(out), &rc);
	assert_int_equal(rc, 0);
	assert_contains(out, "left pad: ads1015/voltage0 = 1650.0 mV -> 10.00 kOhm -> 25.00 C\n");
	assert_contains(out, "right heatsink: ads1015/voltage3 = 1650.0 mV -> 10.00 kOhm -> 25.00 C\n");
	assert_contains(out, "left heat: GPIO17 (gpiochip0:17): input, free\n");
	assert_contains(out, "right fan: gpiochip0:6 (gpiochip0:6) \"GPIO6\": input, free\n");
	assert_contains(out, "button: GPIO26 (gpiochip0:26): input, free, reads released\n");
	assert_contains(out, "GPIO: libgpiod ");
	assert_contains(out, "probe: all well\n");
	/* Nothing was requested as an output, and nothing stays requested. */
	for (int i = 0; i < n_rec; i++)
		assert_int_not_equal(rec[i].op, OP_REQUEST);
	for (int i = 0; i < N_LINES; i++)
		assert_false(lines[i].requested);
	assert_int_equal(chip_opens, chip_closes);

	/* Problems, each on its own line; it goes on past them. */
	setup(NULL);
	snprintf(lines[L_COOL].other, sizeof(lines[L_COOL].other), "spi0 CS1");
	iio_failing_channel = "voltage1";
	load_config_with("fan = gpiochip0:6", "fan = GPIO99");
	probe_output(out, sizeof(out), &rc);
	assert_int_equal(rc, 2);
	assert_contains(out, "left cool: GPIO27 (gpiochip0:27): input, held by \"spi0 CS1\": expected free for contrastd\n");
	assert_contains(out, "left heatsink: ads1015/voltage1: the read failed: Input/output error\n");
	assert_contains(out, "right fan: GPIO99: no GPIO line by that name on any chip");
	assert_contains(out, "left pad: ads1015/voltage0 = 1650.0 mV");
	assert_contains(out, "button: GPIO26 (gpiochip0:26)");
	assert_contains(out, "probe: 3 problems\n");

	/* A CHIP:OFFSET line on a chip that is no Raspberry Pi pin controller: a warning, not a problem. */
	setup(NULL);
	probe_output(out, sizeof(out), &rc);
	assert_null(strstr(out, "warning"));
	mock_chip_label = "gpio-brcmstb@107d508500";
	probe_output(out, sizeof(out), &rc);
	assert_int_equal(rc, 0);
	assert_contains(out, "warning: right fan: gpiochip0:6 gives the line by chip number and offset, and "
			"gpiochip0 is \"gpio-brcmstb@107d508500\", not a Raspberry Pi pin controller");
	assert_contains(out, "give the line by its name, GPIO6\n");
	assert_contains(out, "probe: all well, 1 warning\n");
}

/* A tick at test time x: the timer asks for its pass first (as the loop would), then the read. */
static void read_tick(struct rig *r, double x, struct tick_inputs *in)
{
	double left_s = timer_left_s(r);

	if (left_s >= 0.0 && left_s <= T(x) - fake_now_s) {
		fire_timer(r, x - 0.001);
		assert_true(hw_real_wait_reads(&r->hw, 5.0));
	}
	fake_now_s = T(x);
	memset(in, 0, sizeof(*in));
	r->hw.ops->read(r->hw.ctx, 0.0, in);
}

/*
 * The sensors through the adapter: a failed read is ok = false, the rest
 * read. Each tick uses the pass the timer asked for shortly before it
 * (read by the reader thread: wait for it before changing what the mock
 * returns); a tick whose pass was never asked for fails every sensor, and
 * no pass is used twice.
 */
static void test_read(void **state)
{
	struct rig r;
	struct tick_inputs in;

	(void)state;
	rig_open(&r);
	read_tick(&r, 0.0, &in);                /* the pass attach asked for */
	assert_true(in.pad[0].ok && in.heatsink[0].ok && in.pad[1].ok && in.heatsink[1].ok);
	assert_int_equal(in.pad[0].raw, 13200);
	assert_near(in.pad[1].value, 1650.0, 1e-9);
	/* The next tick's pass is asked for a lead before it: 10 Hz, so within the last 80 ms. */
	double ask_in_s = timer_left_s(&r);

	assert_true(ask_in_s >= 0.1 - 0.08 - 1e-6 && ask_in_s < 0.1);
	read_tick(&r, 0.1, &in);
	assert_true(in.pad[0].ok && in.pad[1].ok);
	iio_failing_channel = "voltage2";
	read_tick(&r, 0.2, &in);                /* asked for after the channel failed */
	assert_false(in.pad[1].ok);
	assert_true(isnan(in.pad[1].value));
	assert_true(in.pad[0].ok && in.heatsink[1].ok);
	iio_failing_channel = NULL;
	/* A tick whose pass the timer never asked for (a late loop): every sensor fails, none reused ... */
	fake_now_s = T(0.3);
	r.hw.ops->read(r.hw.ctx, 0.0, &in);
	assert_false(in.pad[0].ok || in.heatsink[0].ok || in.pad[1].ok || in.heatsink[1].ok);
	/* ... and the next pass is asked for at once, for the next tick. */
	assert_true(hw_real_wait_reads(&r.hw, 5.0));
	fake_now_s = T(0.4);
	r.hw.ops->read(r.hw.ctx, 0.0, &in);
	assert_true(in.pad[0].ok && in.heatsink[0].ok && in.pad[1].ok && in.heatsink[1].ok);
	rig_close(&r);
}

/* The driver's default gain (+/-2.048 V) on one channel: start refused naming it, with the fix. */
static void test_adc_range_refused(void **state)
{
	char out[8192];
	int rc;

	(void)state;
	iio_scale_channel = "voltage2";
	iio_scale = "0.062500000";
	expect_open_error("zone right, pad_sensor = ads1015/voltage2: the ADC's full scale is 2048 mV "
			  "(32767 x 0.0625 mV), below supply_mv = 3300: readings clip at 2048 mV: anything colder "
			  "than 14.3 C reads 14.3 C, and a pad's under-temperature check cannot fire; set the gain "
			  "to +/-4.096 V: dtoverlay=ads1115,cha_gain=1", NULL);
	probe_output(out, sizeof(out), &rc);
	assert_int_equal(rc, 2);
	assert_contains(out, "right pad: ads1015/voltage2 = 825.0 mV: the ADC's full scale is 2048 mV");
	assert_contains(out, "left pad: ads1015/voltage0 = 1650.0 mV -> 10.00 kOhm -> 25.00 C\n");
	assert_contains(out, "probe: 1 problem\n");
	/* +/-4.096 V reaches 3300 mV; +/-6.144 V too. */
	iio_scale = "0.187500000";
	probe_output(out, sizeof(out), &rc);
	assert_int_equal(rc, 0);
}

/* The driver's default 128 SPS: a warning, at start and in --probe, not a refusal. */
static void test_adc_slow_rate_warns(void **state)
{
	struct rig r;
	char out[8192];
	int rc;

	(void)state;
	iio_rate = "128";
	rig_open(&r);
	rig_close(&r);
	probe_output(out, sizeof(out), &rc);
	assert_int_equal(rc, 0);
	assert_contains(out, "left pad: ads1015/voltage0: warning: sampling_frequency is 128 SPS, below 475: "
			"each read that switches input waits about 17 ms in the driver");
	assert_contains(out, "dtoverlay=ads1115,cha_datarate=7");
	assert_contains(out, "probe: all well, 4 warnings\n");
	iio_rate = "475";
	probe_output(out, sizeof(out), &rc);
	assert_null(strstr(out, "warning"));
}

/* --- The adapter itself ------------------------------------------------------ */

/* What a found line knows: chip, label, offset, by every spelling of a spec. */
static void test_find_by_every_spelling(void **state)
{
	static const char *specs[] = { "GPIO22", "gpiochip0:22", "0:22", MOCK_CHIP_LABEL ":22", "/dev/gpiochip0:22" };
	struct gpio_line l;
	char err[512], where[128];

	(void)state;
	for (size_t i = 0; i < sizeof(specs) / sizeof(specs[0]); i++) {
		assert_int_equal(gpio_line_find(&l, "left enable", specs[i], err, sizeof(err)), 0);
		assert_true(gpio_line_found(&l));
		assert_string_equal(l.chip_name, MOCK_CHIP_NAME);
		assert_string_equal(l.chip_label, MOCK_CHIP_LABEL);
		assert_int_equal(l.offset, 22);
		gpio_line_where(&l, where, sizeof(where));
		assert_contains(where, "(gpiochip0:22)");
		gpio_line_close(&l);
		assert_false(gpio_line_found(&l));
	}
	assert_int_equal(chip_opens, chip_closes);
	/* Nothing requested: finding is only looking. */
	for (int i = 0; i < N_LINES; i++)
		assert_false(lines[i].requested);
	assert_int_equal(strncmp(gpio_lines_library(), "libgpiod ", 9), 0);
}

/* The kernel's view of a line without requesting it, then after. */
static void test_info_and_values(void **state)
{
	struct gpio_line l;
	struct gpio_line_info info;
	char err[512];

	(void)state;
	snprintf(lines[L_COOL].other, sizeof(lines[L_COOL].other), "gpio-fan");
	assert_int_equal(gpio_line_find(&l, "left cool", "GPIO27", err, sizeof(err)), 0);
	assert_int_equal(gpio_line_info(&l, &info), 0);
	assert_string_equal(info.name, "GPIO27");
	assert_true(info.used);
	assert_string_equal(info.consumer, "gpio-fan");
	gpio_line_close(&l);

	assert_int_equal(gpio_output_open(&l, "power", "GPIO16", true, err, sizeof(err)), 0);
	assert_int_equal(gpio_line_info(&l, &info), 0);
	assert_true(info.used && info.is_output && info.active_low);
	assert_string_equal(info.consumer, "contrastd");
	assert_int_equal(gpio_line_get(&l), 0);
	assert_int_equal(gpio_line_set(&l, true), 0);
	assert_int_equal(lines[POWER].value, 1);
	assert_int_equal(gpio_line_get(&l), 1);
	/* An event fd is for the button only. */
	assert_int_equal(gpio_line_event_fd(&l), -1);
	/* A failed write leaves the value unknown, so close writes it inactive again. */
	lines[POWER].set_errno = EIO;
	assert_int_equal(gpio_line_set(&l, false), -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(l.value, -1);
	lines[POWER].set_errno = 0;
	int before = lines[POWER].set_attempts;

	gpio_line_close(&l);
	assert_int_equal(lines[POWER].set_attempts, before + 1);
	assert_int_equal(lines[POWER].value, 0);
	assert_false(lines[POWER].requested);
	assert_int_equal(chip_opens, chip_closes);
}

/* A kernel that cannot set a bias: the button is requested without one (the board's resistor). */
static void test_button_without_bias(void **state)
{
	struct gpio_line l;
	char err[512];

	(void)state;
	mock_bias_unsupported = true;
	assert_int_equal(gpio_line_find(&l, "button", "GPIO26", err, sizeof(err)), 0);
	assert_int_equal(gpio_line_request_events(&l, true, err, sizeof(err)), 0);
	assert_true(lines[BUTTON].requested && lines[BUTTON].events && lines[BUTTON].active_low);
	assert_int_equal(lines[BUTTON].bias, MOCK_BIAS_AS_IS);
	assert_true(gpio_line_event_fd(&l) >= 0);
	gpio_line_close(&l);
	assert_int_equal(gpio_line_find(&l, "button", "GPIO26", err, sizeof(err)), 0);
	assert_int_equal(gpio_line_request_input(&l, false, err, sizeof(err)), 0);
	assert_int_equal(lines[BUTTON].bias, MOCK_BIAS_AS_IS);
	assert_false(lines[BUTTON].events);
	gpio_line_close(&l);
	mock_bias_unsupported = false;
	assert_int_equal(gpio_line_find(&l, "button", "GPIO26", err, sizeof(err)), 0);
	assert_int_equal(gpio_line_request_input(&l, false, err, sizeof(err)), 0);
	assert_int_equal(lines[BUTTON].bias, MOCK_PULL_DOWN);
	lines[BUTTON].level = 1;
	assert_int_equal(gpio_line_get(&l), 1);
	gpio_line_close(&l);
	assert_int_equal(chip_opens, chip_closes);
}

#define GPIO_MOCK_HW_REAL_TESTS \
	cmocka_unit_test_setup(test_open_requests_inactive, setup), \
	cmocka_unit_test_setup(test_open_errors_name_line_chip_offset_errno, setup), \
	cmocka_unit_test_setup(test_pwm_edges_in_time, setup), \
	cmocka_unit_test_setup(test_polarity_change_dead_time_on_the_lines, setup), \
	cmocka_unit_test_setup(test_random_run_keeps_interlock_on_the_lines, setup), \
	cmocka_unit_test_setup(test_no_power_no_drive, setup), \
	cmocka_unit_test_setup(test_write_error_then_all_off_tries_every_line, setup), \
	cmocka_unit_test_setup(test_write_error_between_ticks, setup), \
	cmocka_unit_test_setup(test_stale_command_stops_the_bridges, setup), \
	cmocka_unit_test_setup(test_button_through_the_fd, setup), \
	cmocka_unit_test_setup(test_safe_off, setup), \
	cmocka_unit_test_setup(test_safe_off_broken_config, setup), \
	cmocka_unit_test_setup(test_probe, setup), \
	cmocka_unit_test_setup(test_read, setup), \
	cmocka_unit_test_setup(test_adc_range_refused, setup), \
	cmocka_unit_test_setup(test_adc_slow_rate_warns, setup), \
	cmocka_unit_test_setup(test_find_by_every_spelling, setup), \
	cmocka_unit_test_setup(test_info_and_values, setup), \
	cmocka_unit_test_setup(test_button_without_bias, setup),

#endif
