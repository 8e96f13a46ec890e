/* SPDX-License-Identifier: MIT */
/*
 * The status light: the pattern as a pure function of state and time
 * (every state, the blink periods and their edges), then the daemon
 * driving it on the simulated device, read back from the lines' record:
 * off idle, steady in a session, slow blink while a fault is latched,
 * off again once acknowledged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>
#include "core/led.h"
#include "sim_harness.h"

static void test_pattern_of_each_state(void **state)
{
	static const struct {
		enum session_state s;
		bool latched, lockout;
		enum led_pattern want;
	} cases[] = {
		{ SESSION_IDLE, false, false, LED_OFF },
		{ SESSION_COMPLETED, false, false, LED_OFF },
		{ SESSION_STOPPED, false, false, LED_OFF },
		{ SESSION_RUNNING, false, false, LED_STEADY },
		{ SESSION_FAULT, true, false, LED_SLOW_BLINK },
		/* A latched fault is never shown as all well. */
		{ SESSION_RUNNING, true, false, LED_SLOW_BLINK },
		{ SESSION_IDLE, true, false, LED_SLOW_BLINK },
		{ SESSION_FAULT, false, false, LED_SLOW_BLINK },
		/* Lockout wins over everything. */
		{ SESSION_IDLE, false, true, LED_FAST_BLINK },
		{ SESSION_FAULT, true, true, LED_FAST_BLINK },
		{ SESSION_RUNNING, false, true, LED_FAST_BLINK },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (led_pattern_for(cases[i].s, cases[i].latched, cases[i].lockout) != cases[i].want)
			fail_msg("case %zu: %s, wanted %s", i,
				 led_pattern_name(led_pattern_for(cases[i].s, cases[i].latched, cases[i].lockout)),
				 led_pattern_name(cases[i].want));
	assert_string_equal(led_pattern_name(LED_OFF), "off");
	assert_string_equal(led_pattern_name(LED_STEADY), "steady");
	assert_string_equal(led_pattern_name(LED_SLOW_BLINK), "slow-blink");
	assert_string_equal(led_pattern_name(LED_FAST_BLINK), "fast-blink");
}

static void test_blink_timing(void **state)
{
	(void)state;
	for (double t = 0; t < 100; t += 0.05) {
		assert_false(led_lit(LED_OFF, t));
		assert_true(led_lit(LED_STEADY, t));
	}
	/* Slow: on 1 s from each even second, off the next. */
	assert_true(led_lit(LED_SLOW_BLINK, 0.0));
	assert_true(led_lit(LED_SLOW_BLINK, 0.99));
	assert_false(led_lit(LED_SLOW_BLINK, 1.0));
	assert_false(led_lit(LED_SLOW_BLINK, 1.99));
	assert_true(led_lit(LED_SLOW_BLINK, 2.0));
	assert_true(led_lit(LED_SLOW_BLINK, 1000.5));
	assert_false(led_lit(LED_SLOW_BLINK, 1001.5));
	/* Fast: 0.2 s on, 0.2 s off. */
	assert_true(led_lit(LED_FAST_BLINK, 0.0));
	assert_true(led_lit(LED_FAST_BLINK, 0.19));
	assert_false(led_lit(LED_FAST_BLINK, 0.2));
	assert_false(led_lit(LED_FAST_BLINK, 0.39));
	assert_true(led_lit(LED_FAST_BLINK, 0.4));
	/* Half the time on, over any long stretch, at 10 Hz ticks. */
	int on_slow = 0, on_fast = 0, n = 0;

	for (int i = 0; i < 10000; i++, n++) {
		on_slow += led_lit(LED_SLOW_BLINK, i * 0.1);
		on_fast += led_lit(LED_FAST_BLINK, i * 0.1);
	}
	assert_int_equal(on_slow, n / 2);
	assert_int_equal(on_fast, n / 2);
	/* Negative times (another clock's origin) blink too. */
	assert_true(led_lit(LED_SLOW_BLINK, -2.0));
	assert_false(led_lit(LED_SLOW_BLINK, -0.5));
}

static struct config cfg;
static struct daemon *d = &harness_daemon;

static void steps(double seconds)
{
	for (double t = 0; t < seconds - 1e-9; t += 1.0 / cfg.daemon.control_hz)
		daemon_step(d);
}

/* The light's changes recorded by the simulated device from index `from` on. */
static int changes_since(int from)
{
	return harness_sim.n_led_changes - from;
}

static void test_daemon_drives_the_light(void **state)
{
	struct options opt;
	char err[256], state_dir[64], cmd[128];

	(void)state;
	harness_load_example(&cfg);
	snprintf(cfg.button.led, sizeof(cfg.button.led), "GPIO4");
	snprintf(state_dir, sizeof(state_dir), "/tmp/contrastd-led-XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	snprintf(cfg.daemon.state_dir, sizeof(cfg.daemon.state_dir), "%s", state_dir);
	memset(&opt, 0, sizeof(opt));
	opt.simulate = true;
	opt.seed = 3;
	opt.fast_after_s = -1.0;
	opt.inject[opt.n_inject++] = "loop-stall@30";
	log_set_max_level((enum log_level)0);
	assert_int_equal(harness_init(d, &opt, &cfg, err, sizeof(err)), 0);
	if (!harness_devnull)
		harness_devnull = fopen("/dev/null", "w");
	d->progress = harness_devnull;
	d->fast = true;

	/* Idle: off, never lit. */
	steps(5.0);
	assert_false(harness_sim.led_on);
	assert_int_equal(harness_sim.n_led_changes, 0);

	/* A session: on at the next tick, and steady: no change while it runs. */
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_RUNNING);
	steps(0.1);
	assert_true(harness_sim.led_on);
	int at_start = harness_sim.n_led_changes;

	steps(20.0);
	assert_int_equal(d->ctl.state, SESSION_RUNNING);
	assert_true(harness_sim.led_on);
	assert_int_equal(changes_since(at_start), 0);

	/* The stall at 30 s trips loop-overrun: a slow blink, 1 s on, 1 s off. */
	steps(10.0);
	assert_int_equal(d->ctl.state, SESSION_FAULT);
	int at_fault = harness_sim.n_led_changes;

	steps(10.0);
	assert_in_range(changes_since(at_fault), 9, 11);
	for (int i = hw_sim_led_kept(&harness_sim) - 8; i < hw_sim_led_kept(&harness_sim); i++) {
		const struct hw_sim_led_change *a = hw_sim_led_change(&harness_sim, i - 1);
		const struct hw_sim_led_change *b = hw_sim_led_change(&harness_sim, i);

		assert_true(a->on != b->on);
		if (fabs(b->at_s - a->at_s - LED_SLOW_PERIOD_S / 2) > 1e-6)
			fail_msg("a slow blink's half period was %.3f s", b->at_s - a->at_s);
	}

	/* Acknowledged once the cause cleared: idle, off, and it stays off. */
	assert_int_equal(controller_ack(&d->ctl, d->now_s, err, sizeof(err)), 0);
	steps(0.1);
	assert_false(harness_sim.led_on);
	int at_ack = harness_sim.n_led_changes;

	steps(5.0);
	assert_int_equal(changes_since(at_ack), 0);

	daemon_close(d);
	assert_false(harness_sim.led_on);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_of_each_state),
		cmocka_unit_test(test_blink_timing),
		cmocka_unit_test(test_daemon_drives_the_light),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
