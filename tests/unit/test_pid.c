/* SPDX-License-Identifier: MIT */
/*
 * One zone's controller, promise by promise from pid.h, in virtual time,
 * against a small plant written here: the pad as the observer models it
 * (a rate of w + b u, a first-order sensor lag) but with its own numbers,
 * so that what the controller learns is tested too.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"

#include "core/bridge.h"
#include "core/limits.h"
#include "core/pid.h"

#define DT_S  0.1
#define LAG_S 2.0

static const struct pid_params base = {
	.heat = { .kp = 2.0 },
	.cool = { .kp = 4.0 },
	.max_duty = 1.0,
	.deadband = 0.02,
	.d_filter_s = 1.0,
	.integral_band_c = 1.5,
};

/* The test plant. */
struct plant {
	double pad_c, sensor_c, sink_c;
	double bh, bc;          /* C/s at full heat / full cooling */
	double body_c;          /* what the pad drifts toward with the Peltier off */
	double leak;            /* per s */
	double noise_c;         /* amplitude of a deterministic +- pattern on the reading */
	unsigned long n;
};

static struct plant plant_at(double pad_c)
{
	return (struct plant){
		.pad_c = pad_c, .sensor_c = pad_c, .sink_c = 25.0,
		.bh = 0.7, .bc = 0.4, .body_c = 33.0, .leak = 0.011, .noise_c = 0.0,
	};
}

static void plant_step(struct plant *pl, double duty, double dt_s)
{
	/* Fine steps: the test plant integrates finer than the observer's model. */
	for (int i = 0; i < 10; i++) {
		double h = dt_s / 10.0;
		double rate = pl->leak * (pl->body_c - pl->pad_c) + (duty > 0.0 ? pl->bh : pl->bc) * duty;

		pl->pad_c += rate * h;
		pl->sensor_c += (pl->pad_c - pl->sensor_c) * h / LAG_S;
	}
	pl->n++;
}

static double plant_reading(const struct plant *pl)
{
	/* A bounded, zero-mean, deterministic wobble in place of noise. */
	static const double pattern[] = { 1.0, -0.6, 0.2, -1.0, 0.7, -0.3 };

	return pl->sensor_c + pl->noise_c * pattern[pl->n % 6];
}

/* One tick: observe what the last duty did, decide the next. */
static double tick(const struct pid_params *p, struct pid_state *s, struct plant *pl, double setpoint_c,
		   double *duty, bool held_off)
{
	struct pid_reading r = { .pad_c = plant_reading(pl), .frozen_s = 0.0, .sink_c = pl->sink_c };

	pid_observe(s, &r, *duty, DT_S, LAG_S);
	*duty = pid_step(p, NULL, s, setpoint_c, DT_S, held_off);
	plant_step(pl, *duty, DT_S);
	return *duty;
}

/* Let the observer watch an idle pad for a while (as it does between sessions). */
static void settle_idle(struct pid_state *s, struct plant *pl, double seconds)
{
	double duty = 0.0;

	for (double t = 0.0; t < seconds; t += DT_S) {
		struct pid_reading r = { .pad_c = plant_reading(pl), .frozen_s = 0.0, .sink_c = pl->sink_c };

		pid_observe(s, &r, duty, DT_S, LAG_S);
		plant_step(pl, 0.0, DT_S);
	}
}

static void test_reset_and_session_start(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	memset(&s, 0xa5, sizeof(s));
	pid_reset(&s);
	assert_false(s.obs.primed);
	assert_int_equal(s.mode, PID_MODE_NONE);
	assert_true(isnan(s.setpoint_c));
	assert_near(s.integral, 0.0, 0.0);

	settle_idle(&s, &pl, 30.0);
	for (int i = 0; i < 50; i++)
		tick(&base, &s, &pl, 38.0, &duty, false);
	assert_true(s.obs.primed);
	assert_int_equal(s.mode, PID_MODE_APPROACH);
	double learned_bh = s.obs.x[OBS_BH];

	/* A new session forgets the setpoint and mode, not what the observer knows. */
	pid_session_start(&s);
	assert_int_equal(s.mode, PID_MODE_NONE);
	assert_true(isnan(s.setpoint_c));
	assert_true(s.obs.primed);
	assert_near(s.obs.x[OBS_BH], learned_bh, 0.0);
	/* A reset forgets everything. */
	pid_reset(&s);
	assert_false(s.obs.primed);
}

static void test_no_reading_no_output(void **state)
{
	struct pid_state s;
	struct pid_reading none = { .pad_c = NAN, .frozen_s = 0.0, .sink_c = NAN };

	(void)state;
	pid_reset(&s);
	pid_observe(&s, &none, 0.0, DT_S, LAG_S);
	assert_near(pid_step(&base, NULL, &s, 38.0, DT_S, false), 0.0, 0.0);
	assert_false(s.obs.primed);
}

static void test_non_finite_inputs(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 10.0);
	tick(&base, &s, &pl, 38.0, &duty, false);
	struct pid_state before = s;

	assert_near(pid_step(&base, NULL, &s, NAN, DT_S, false), 0.0, 0.0);
	assert_near(pid_step(&base, NULL, &s, 38.0, 0.0, false), 0.0, 0.0);
	assert_near(pid_step(&base, NULL, &s, 38.0, -DT_S, false), 0.0, 0.0);
	assert_near(pid_step(&base, NULL, &s, 38.0, INFINITY, false), 0.0, 0.0);
	/* The state is kept (only the trace terms are cleared). */
	assert_int_equal(s.mode, before.mode);
	assert_near(s.setpoint_c, before.setpoint_c, 0.0);
	assert_memory_equal(&s.obs, &before.obs, sizeof(s.obs));
	/* A NaN reading or duty does not poison the observer. */
	struct pid_reading bad = { .pad_c = NAN, .frozen_s = 0.0, .sink_c = NAN };

	pid_observe(&s, &bad, NAN, DT_S, LAG_S);
	for (int i = 0; i < OBS_N; i++)
		assert_true(isfinite(s.obs.x[i]));
}

/* From rest to a warm and to a cool setpoint: full duty in one polarity, then the stopping point. */
static void approach(double from_c, double to_c, double *worst_overshoot_c, double *reached_s)
{
	struct pid_state s;
	struct plant pl = plant_at(from_c);
	double duty = 0.0;
	int dir = to_c > from_c ? 1 : -1;
	bool stopped = false;

	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	*worst_overshoot_c = 0.0;
	*reached_s = NAN;
	for (double t = 0.0; t < 200.0; t += DT_S) {
		tick(&base, &s, &pl, to_c, &duty, false);
		/* Never the other polarity, at the start full duty. */
		assert_true(duty * dir >= 0.0);
		if (t < 1.0)
			assert_near(duty, dir * base.max_duty, 0.0);
		if (s.mode == PID_MODE_HOLD)
			stopped = true;
		*worst_overshoot_c = fmax(*worst_overshoot_c, (pl.pad_c - to_c) * dir);
		if (isnan(*reached_s) && fabs(pl.pad_c - to_c) <= 0.3)
			*reached_s = t + DT_S;
	}
	assert_true(stopped);
	/* And it holds there, on the true pad. */
	assert_true(fabs(pl.pad_c - to_c) < 0.1);
}

static void test_approach_warm_and_cool(void **state)
{
	double over_c, reached_s;

	(void)state;
	approach(32.0, 39.0, &over_c, &reached_s);
	assert_true(over_c <= 0.3);
	/* At full heat (0.7 C/s, less the leak) 6.7 C takes a good 10 s: close to that. */
	assert_true(reached_s < 12.5);
	approach(39.0, 20.0, &over_c, &reached_s);
	assert_true(over_c <= 0.3);
}

/* Holding: the duty settles on the steady duty the plant needs, which the feed-forward supplies. */
static void test_hold_feed_forward_learned(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 300.0; t += DT_S)
		tick(&base, &s, &pl, 38.0, &duty, false);
	/* The plant needs leak * (38 - 33) / bh = 0.0786 duty to stay at 38 C. */
	double need = pl.leak * (38.0 - pl.body_c) / pl.bh;

	assert_near(duty, need, 0.01);
	assert_near(s.ff_term, need, 0.01);
	assert_true(fabs(s.p_term) < 0.02);
	assert_near(pl.pad_c, 38.0, 0.02);
	/* And it learned the plant's heating gain, not the reference one. */
	assert_near(s.obs.x[OBS_BH], pl.bh, 0.1);
}

/* A wobbling reading in a hold never flips the polarity. */
static void test_hold_no_reversal_on_noise(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	pid_reset(&s);
	pl.noise_c = 0.1;
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 400.0; t += DT_S) {
		tick(&base, &s, &pl, 34.0, &duty, false);
		if (t > 30.0)
			assert_true(duty >= 0.0);
	}
	assert_near(pl.pad_c, 34.0, 0.1);
}

/*
 * One pulse per PWM period in the hold: the bridge starts a new period
 * whenever it starts driving, so once the hold's output drops to 0 the
 * same polarity does not start again before the period it drove in ends.
 * A noisy reading near a small steady duty makes the law flicker.
 */
static void test_hold_one_pulse_per_period(void **state)
{
	const struct pid_bounds b = {
		.max_pad_c = INFINITY, .min_pad_c = -INFINITY, .actuation_delay_s = 1.0,
	};
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0, t_s = 0.0, drive_start_s = NAN, quiet_until_s = -INFINITY;
	int starts = 0, refused_by_period = 0;

	(void)state;
	pid_reset(&s);
	pl.noise_c = 0.1;
	settle_idle(&s, &pl, 20.0);
	for (int k = 0; k < 4000; k++, t_s += DT_S) {
		struct pid_reading r = { .pad_c = plant_reading(&pl), .frozen_s = 0.0, .sink_c = pl.sink_c };
		double prev = duty;

		pid_observe(&s, &r, duty, DT_S, LAG_S);
		duty = pid_step(&base, &b, &s, 34.0, DT_S, false);
		plant_step(&pl, duty, DT_S);
		if (s.mode != PID_MODE_HOLD)
			continue;
		if (prev == 0.0 && duty != 0.0) {
			/* A start: never inside the period the last drive stopped in. */
			assert_true(t_s >= quiet_until_s - 1e-6);
			drive_start_s = t_s;
			starts++;
		} else if (prev != 0.0 && duty == 0.0 && isfinite(drive_start_s)) {
			double T = b.actuation_delay_s;

			quiet_until_s = drive_start_s + ceil((t_s - drive_start_s) / T - 1e-9) * T;
		} else if (prev == 0.0 && duty == 0.0 && t_s < quiet_until_s - 1e-6 && s.p_term + s.ff_term > base.deadband) {
			refused_by_period++;
		}
	}
	/* It did flicker (the rule had work to do), and it still holds. */
	assert_true(starts > 10);
	assert_true(refused_by_period > 0);
	assert_near(pl.pad_c, 34.0, 0.15);
}

/*
 * The observer is told what the bridge delivered: over a run of duties that
 * rise, drop, stop and reverse within PWM periods, the energy the observer
 * was told, per polarity, is what the bridge machine itself conducted
 * (bridge.h: dead time, on-time at the period's start, ended early by a
 * lower duty, not restarted within the period), up to the last flush.
 */
static void test_observer_told_what_the_bridge_delivered(void **state)
{
	static const double duties[] = {
		1.0, 1.0, 1.0, 0.6, 0.2, 0.9, 0.9, 0.1, 0.0, 0.3,   /* the approach handing over, a stop, a restart */
		0.3, 0.05, 0.7, 0.7, 0.0, 0.0, 0.4, 0.4, 0.4, 0.4,
		-0.5, -0.5, -0.2, -0.8, 0.0, -0.3, -0.3, 0.25, 0.25, 0.5,  /* reversals through the dead time */
		0.5, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
		0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
	};
	const struct bridge_params bp = { .period_s = 1.0, .dead_time_s = 0.2, .min_pulse_s = 0.0 };
	const struct pid_bounds b = {
		.max_pad_c = INFINITY, .min_pad_c = -INFINITY, .actuation_delay_s = bp.period_s,
		.dead_time_s = bp.dead_time_s,
	};
	struct bridge br;
	struct pid_state s;
	double told[2] = { 0 }, conducted[2] = { 0 };
	double t_s = 0.0;

	(void)state;
	pid_reset(&s);
	struct pid_reading r = { .pad_c = 30.0, .frozen_s = 0.0, .sink_c = 25.0 };

	pid_observe(&s, &r, 0.0, DT_S, LAG_S);          /* primes the observer */
	pid_step(&base, &b, &s, 30.0, DT_S, true);      /* the period and dead time, from the bounds */
	bridge_init(&br, &bp, -10.0);
	for (size_t k = 0; k < sizeof(duties) / sizeof(duties[0]); k++, t_s += DT_S) {
		struct bridge_out o;

		/* The bridge over this tick, edge by edge (1 ms steps). */
		bridge_update(&br, duties[k], t_s, &o);
		for (int i = 0; i < 100; i++) {
			bridge_poll(&br, t_s + i * 0.001, &o);
			if (o.heat)
				conducted[0] += 0.001;
			if (o.cool)
				conducted[1] += 0.001;
		}
		/* The tick as the controller sees it next: that duty drove the pad over it. */
		pid_observe(&s, &r, duties[k], DT_S, LAG_S);
		if (s.delivered_duty > 0.0)
			told[0] += s.delivered_duty * DT_S;
		else
			told[1] -= s.delivered_duty * DT_S;
	}
	assert_near(told[0], conducted[0], 0.01);
	assert_near(told[1], conducted[1], 0.01);
	/* 1.3 s and 0.4 s; the commanded duties sum to 1.135 s and 0.37 s: the two differ here. */
	assert_true(conducted[0] > 1.2 && conducted[1] > 0.3);
}

/* A setpoint where the drift is near zero: the hold takes the polarity the law keeps asking for. */
static void test_hold_polarity_follows_sustained_demand(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(33.0);
	double duty = 0.0;
	int flips = 0, last = 0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 30.0);
	/* Hold at 33.2 with cooling imposed first: the plant needs a little heat. */
	pid_step(&base, NULL, &s, 33.2, DT_S, false);
	s.hold_polarity = -1;
	for (double t = 0.0; t < 120.0; t += DT_S) {
		tick(&base, &s, &pl, 33.2, &duty, false);
		int sign = duty > 0.0 ? 1 : duty < 0.0 ? -1 : 0;

		if (sign && last && sign != last)
			flips++;
		if (sign)
			last = sign;
	}
	assert_int_equal(s.hold_polarity, 1);
	assert_true(flips <= 1);
	assert_near(pl.pad_c, 33.2, 0.1);
}

/* Far past the setpoint in a hold, the other polarity may drive. */
static void test_hold_reverses_when_far_past(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 100.0; t += DT_S)
		tick(&base, &s, &pl, 36.0, &duty, false);
	assert_int_equal(s.hold_polarity, 1);
	/* Something heats the pad 3 C over: the controller cools it back. */
	pl.pad_c += 3.0;
	pl.sensor_c += 3.0;
	bool cooled = false;

	for (double t = 0.0; t < 60.0; t += DT_S) {
		tick(&base, &s, &pl, 36.0, &duty, false);
		cooled = cooled || duty < 0.0;
	}
	assert_true(cooled);
	assert_near(pl.pad_c, 36.0, 0.2);
}

static void test_clamp_and_deadband(void **state)
{
	struct pid_params p = base;
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	p.max_duty = 0.6;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 200.0; t += DT_S) {
		tick(&p, &s, &pl, 39.0, &duty, false);
		assert_true(fabs(duty) <= 0.6 + 1e-12);
		assert_true(duty == 0.0 || fabs(duty) >= p.deadband);
	}
	for (double t = 0.0; t < 300.0; t += DT_S) {
		tick(&p, &s, &pl, 20.0, &duty, false);
		assert_true(fabs(duty) <= 0.6 + 1e-12);
	}
	/* HARD_MAX_DUTY bounds a config that says more. */
	p.max_duty = 5.0;
	pid_reset(&s);
	pl = plant_at(32.0);
	settle_idle(&s, &pl, 5.0);
	assert_true(tick(&p, &s, &pl, 39.0, &duty, false) <= HARD_MAX_DUTY);
	/* A deadband wider than what the hold needs gives 0. */
	p = base;
	p.deadband = 0.15;
	pid_reset(&s);
	pl = plant_at(33.0);
	settle_idle(&s, &pl, 30.0);
	for (double t = 0.0; t < 100.0; t += DT_S)
		tick(&p, &s, &pl, 33.5, &duty, false);
	assert_near(duty, 0.0, 0.0);
}

/* Held off: 0 out, and the mode and setpoint do not move; the observer sees the 0. */
static void test_held_off(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	tick(&base, &s, &pl, 39.0, &duty, false);
	assert_int_equal(s.mode, PID_MODE_APPROACH);
	for (int i = 0; i < 30; i++)
		assert_near(tick(&base, &s, &pl, 39.0, &duty, true), 0.0, 0.0);
	assert_int_equal(s.mode, PID_MODE_APPROACH);
	assert_near(s.setpoint_c, 39.0, 0.0);
	/* Released: full duty again at once. */
	assert_near(tick(&base, &s, &pl, 39.0, &duty, false), 1.0, 0.0);
}

/* The integral (ki > 0 only) grows only inside integral_band_c, not into the clamp. */
static void test_integral_conditional(void **state)
{
	struct pid_params p = base;
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	p.heat.ki = 0.05;
	p.cool.ki = 0.05;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 3.0; t += DT_S)
		tick(&p, &s, &pl, 39.0, &duty, false);
	/* Approaching, far out and saturated: nothing integrated. */
	assert_near(s.integral, 0.0, 0.0);
	for (double t = 0.0; t < 200.0; t += DT_S)
		tick(&p, &s, &pl, 39.0, &duty, false);
	assert_true(fabs(s.integral) <= p.max_duty);
	assert_near(pl.pad_c, 39.0, 0.05);
	/* A setpoint change clears it. */
	s.integral = 0.3;
	tick(&p, &s, &pl, 30.0, &duty, false);
	assert_near(s.integral, 0.0, 0.0);
}

/* A frozen reading is not used: the observer carries on from its model and the pad is held. */
static void test_frozen_reading_ignored(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0, frozen_at = NAN, frozen_s = 0.0;

	(void)state;
	pid_reset(&s);
	pl.noise_c = 0.02;
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 200.0; t += DT_S) {
		/* The ADC sticks 6 s into the approach, short of the setpoint. */
		if (t >= 6.0 && isnan(frozen_at))
			frozen_at = plant_reading(&pl);
		struct pid_reading r = {
			.pad_c = isnan(frozen_at) ? plant_reading(&pl) : frozen_at,
			.frozen_s = frozen_s, .sink_c = pl.sink_c,
		};

		pid_observe(&s, &r, duty, DT_S, LAG_S);
		duty = pid_step(&base, NULL, &s, 39.0, DT_S, false);
		plant_step(&pl, duty, DT_S);
		if (!isnan(frozen_at))
			frozen_s += DT_S;
		assert_true(pl.pad_c < 39.6);
	}
	assert_true(s.frozen);
	assert_true(frozen_at < 38.0);
	/* Held near the setpoint on the model alone, not driven toward the stuck reading. */
	assert_near(pl.pad_c, 39.0, 0.6);
}

/*
 * A push the reading does not see although the heatsink shows the Peltier
 * pumping (a sensor off the pad reading the room): that polarity stops
 * after PID_UNSEEN_HEAT_S, until the next setpoint.
 */
static void test_unseen_push_stops(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(23.0);
	double duty = 0.0, off_pad_c = 22.0, first_off_s = NAN, heat_s = 0.0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 60.0; t += DT_S) {
		/* The sensor reads the room; the heatsink cools while the pad is heated. */
		struct pid_reading r = { .pad_c = off_pad_c, .frozen_s = 0.0, .sink_c = pl.sink_c };

		if (t > 0.0 && s.unseen_dir > 0 && isnan(first_off_s))
			first_off_s = t;
		pid_observe(&s, &r, duty, DT_S, LAG_S);
		duty = pid_step(&base, NULL, &s, 23.0, DT_S, false);
		plant_step(&pl, duty, DT_S);
		pl.sink_c -= 0.3 * (duty > 0.0 ? duty : 0.0) * DT_S;
		heat_s += (duty > 0.0 ? duty : 0.0) * DT_S;
		off_pad_c = 22.0 + 0.01 * ((int)(t * 10) % 3);
	}
	/*
	 * The hold needed cooling at 23 C; the reading says 1 C under: the
	 * hold takes heat once the law has asked for it PID_POLARITY_DEMAND_S,
	 * then heats unseen for PID_UNSEEN_HEAT_S, and no more.
	 */
	assert_int_equal(s.unseen_dir, 1);
	assert_true(first_off_s <= PID_POLARITY_DEMAND_S + PID_UNSEEN_HEAT_S + 2.0);
	assert_true(duty <= 0.0);
	/* Heat delivered: about that many seconds' worth at full duty (the ramp up to half duty is not counted). */
	assert_true(heat_s <= PID_UNSEEN_HEAT_S + 2.0);
	/* The next setpoint lifts it. */
	tick(&base, &s, &pl, 30.0, &duty, false);
	assert_int_equal(s.unseen_dir, 0);
}

/*
 * The same with the heatsink still (a dead Peltier, the pad drifting off a
 * warm setpoint): pushed on at full duty, for the supervisor to see.
 */
static void test_dead_peltier_pushed_on(void **state)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0;

	(void)state;
	pid_reset(&s);
	settle_idle(&s, &pl, 20.0);
	for (double t = 0.0; t < 100.0; t += DT_S)
		tick(&base, &s, &pl, 36.0, &duty, false);
	pl.bh = pl.bc = 0.0;
	for (double t = 0.0; t < 60.0; t += DT_S)
		tick(&base, &s, &pl, 36.0, &duty, false);
	assert_true(pl.pad_c < 35.0);
	assert_int_equal(s.unseen_dir, 0);
	assert_near(duty, 1.0, 0.0);
}

/*
 * The worst the supervisor would predict over an approach from 32 C to
 * 38 C on a fast Peltier: its reading + 1 s slope * look-ahead (safety.c),
 * with the controller given the bounds or not. Also the pad's last value.
 */
static double approach_worst_prediction(const struct pid_bounds *b, double *final_c)
{
	struct pid_state s;
	struct plant pl = plant_at(32.0);
	double duty = 0.0, worst_c = -INFINITY, history[11];
	int n = 0;

	pl.bh = 2.0;
	pid_reset(&s);
	settle_idle(&s, &pl, 30.0);
	for (double t = 0.0; t < 120.0; t += DT_S) {
		struct pid_reading r = { .pad_c = plant_reading(&pl), .frozen_s = 0.0, .sink_c = pl.sink_c };

		pid_observe(&s, &r, duty, DT_S, LAG_S);
		duty = pid_step(&base, b, &s, 38.0, DT_S, false);
		plant_step(&pl, duty, DT_S);
		memmove(history + 1, history, 10 * sizeof(history[0]));
		history[0] = pl.sensor_c;
		if (++n > 10)
			worst_c = fmax(worst_c, history[0] + (history[0] - history[10]) * (LAG_S + 0.5 + DT_S));
	}
	*final_c = pl.pad_c;
	return worst_c;
}

static void test_bounds_keep_the_prediction_inside(void **state)
{
	const struct pid_bounds b = {
		.max_pad_c = 39.2, .min_pad_c = 12.0, .predict_ahead_s = LAG_S + 0.5 + DT_S,
		.slope_age_s = 0.5 + DT_S, .sensor_lag_s = LAG_S, .unmodelled_lag_s = 0.0,
		.actuation_delay_s = DT_S,
	};
	double final_c;

	(void)state;
	/* Unbounded, the full-power approach makes the supervisor predict past its limit ... */
	double unbounded_c = approach_worst_prediction(NULL, &final_c);

	print_message("worst prediction unbounded %.2f C\n", unbounded_c);
	assert_true(unbounded_c > b.max_pad_c);
	/* ... bounded, the approach slows near it, the prediction stays inside, the pad still gets there. */
	double worst_c = approach_worst_prediction(&b, &final_c);

	print_message("worst prediction bounded %.2f C, pad at the end %.2f C\n", worst_c, final_c);
	assert_true(worst_c < b.max_pad_c);
	assert_near(final_c, 38.0, 0.3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reset_and_session_start),
		cmocka_unit_test(test_bounds_keep_the_prediction_inside),
		cmocka_unit_test(test_no_reading_no_output),
		cmocka_unit_test(test_non_finite_inputs),
		cmocka_unit_test(test_approach_warm_and_cool),
		cmocka_unit_test(test_hold_feed_forward_learned),
		cmocka_unit_test(test_hold_no_reversal_on_noise),
		cmocka_unit_test(test_hold_one_pulse_per_period),
		cmocka_unit_test(test_observer_told_what_the_bridge_delivered),
		cmocka_unit_test(test_hold_polarity_follows_sustained_demand),
		cmocka_unit_test(test_hold_reverses_when_far_past),
		cmocka_unit_test(test_clamp_and_deadband),
		cmocka_unit_test(test_held_off),
		cmocka_unit_test(test_integral_conditional),
		cmocka_unit_test(test_frozen_reading_ignored),
		cmocka_unit_test(test_unseen_push_stops),
		cmocka_unit_test(test_dead_peltier_pushed_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
