/* SPDX-License-Identifier: MIT */
/*
 * The bedside button as the daemon handles it, on the simulated plant:
 * a short press starts the default program when idle and stops a running
 * session (outputs off at once); while a fault is latched a short press
 * does nothing and a long press acknowledges only once the cause has
 * cleared, returning to idle, never resuming. With [button] start_press =
 * long only a long press starts a session (a short one is only logged).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <unistd.h>
#include "sim_harness.h"

static struct config cfg;
static struct daemon *d = &harness_daemon;
static char state_dir[64];

/* Close the daemon and remove its records directory. */
static void finish(void)
{
	char cmd[128];

	daemon_close(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", state_dir);
	assert_int_equal(system(cmd), 0);
}

static void steps(double seconds)
{
	for (double t = 0; t < seconds - 1e-9; t += 1.0 / cfg.daemon.control_hz)
		daemon_step(d);
}

static enum start_press start_press = START_PRESS_SHORT;

static void init_idle(const char *inject)
{
	struct options opt;
	char err[256];

	harness_load_example(&cfg);
	snprintf(state_dir, sizeof(state_dir), "/tmp/contrastd-button-XXXXXX");
	assert_non_null(mkdtemp(state_dir));
	snprintf(cfg.daemon.state_dir, sizeof(cfg.daemon.state_dir), "%s", state_dir);
	cfg.button.start_press = start_press;
	memset(&opt, 0, sizeof(opt));
	opt.simulate = true;
	opt.seed = 4;
	opt.fast_after_s = -1.0;
	if (inject)
		opt.inject[opt.n_inject++] = inject;
	log_set_max_level((enum log_level)0);
	assert_int_equal(harness_init(d, &opt, &cfg, err, sizeof(err)), 0);
	if (!harness_devnull)
		harness_devnull = fopen("/dev/null", "w");
	d->progress = harness_devnull;
	d->fast = true;
	steps(1.0);
	assert_int_equal(d->ctl.state, SESSION_IDLE);
}

static void test_short_press_starts_and_stops(void **state)
{
	(void)state;
	init_idle(NULL);
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_RUNNING);
	assert_string_equal(d->ctl.program.name, "default");
	steps(20.0);
	assert_true(harness_sim.applied.power);
	assert_true(harness_sim.applied.duty[0] > 0.0);
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_STOPPED);
	/* Off at once, before any further tick. */
	assert_true(harness_sim.applied.duty[0] == 0.0 && harness_sim.applied.duty[1] == 0.0);
	assert_false(harness_sim.applied.power);
	/* And a press starts the next session. */
	steps(1.0);
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_RUNNING);
	finish();
}

static void test_long_press_acknowledges_once_cleared(void **state)
{
	(void)state;
	/*
	 * A stall 10 s in: loop-overrun trips. The stall held the approach's
	 * full power on, so the pad went on past the limit in force (inside
	 * the hard limit); the cause clears once the readings are back inside.
	 */
	init_idle("loop-stall@10");
	daemon_button(d, BUTTON_SHORT_PRESS);
	steps(12.0);
	assert_int_equal(d->ctl.state, SESSION_FAULT);
	assert_int_equal(safety_latched_fault(&d->ctl.safety)->kind, FAULT_LOOP_OVERRUN);

	/* A short press does nothing while the fault is latched. */
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_FAULT);
	assert_false(harness_sim.applied.power);

	/* The cause has to be gone for 5 s first: a long press right away is refused. */
	steps(2.0);
	assert_false(safety_cause_cleared(&d->ctl.safety, d->now_s));
	daemon_button(d, BUTTON_LONG_PRESS);
	assert_int_equal(d->ctl.state, SESSION_FAULT);
	/* Until the cause has been gone 5 s every long press is refused; then one acknowledges. */
	for (int waited_s = 0; waited_s < 60 && !safety_cause_cleared(&d->ctl.safety, d->now_s); waited_s++) {
		daemon_button(d, BUTTON_LONG_PRESS);
		assert_int_equal(d->ctl.state, SESSION_FAULT);
		steps(1.0);
	}
	assert_true(safety_cause_cleared(&d->ctl.safety, d->now_s));
	assert_true(harness_sim.plant.zone[0].pad_max_c < HARD_MAX_PAD_C);
	daemon_button(d, BUTTON_LONG_PRESS);
	assert_int_equal(d->ctl.state, SESSION_IDLE);
	/* Idle means idle: nothing resumed. */
	steps(5.0);
	assert_int_equal(d->ctl.state, SESSION_IDLE);
	assert_false(harness_sim.applied.power);
	finish();
}

static void test_long_press_when_idle_does_nothing(void **state)
{
	(void)state;
	init_idle(NULL);
	daemon_button(d, BUTTON_LONG_PRESS);
	assert_int_equal(d->ctl.state, SESSION_IDLE);
	finish();
}

/* start_press = long: for someone who moves in their sleep, a brush of the button starts nothing. */
static void test_start_press_long(void **state)
{
	(void)state;
	start_press = START_PRESS_LONG;
	init_idle(NULL);
	daemon_button(d, BUTTON_SHORT_PRESS);
	steps(2.0);
	assert_int_equal(d->ctl.state, SESSION_IDLE);
	assert_false(harness_sim.applied.power);
	daemon_button(d, BUTTON_LONG_PRESS);
	assert_int_equal(d->ctl.state, SESSION_RUNNING);
	steps(5.0);
	/* Stopping still takes any press: nobody must find the button ignored in a hurry. */
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_STOPPED);
	assert_false(harness_sim.applied.power);
	/* And from stopped, again only a long press starts. */
	daemon_button(d, BUTTON_SHORT_PRESS);
	assert_int_equal(d->ctl.state, SESSION_STOPPED);
	daemon_button(d, BUTTON_LONG_PRESS);
	assert_int_equal(d->ctl.state, SESSION_RUNNING);
	start_press = START_PRESS_SHORT;
	finish();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_press_starts_and_stops),
		cmocka_unit_test(test_long_press_acknowledges_once_cleared),
		cmocka_unit_test(test_long_press_when_idle_does_nothing),
		cmocka_unit_test(test_start_press_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
