/* SPDX-License-Identifier: MIT */
/*
 * Control quality on the simulated plant (issue 11, `make bench` part 1):
 * contrastd (the real controller and supervisor, controller_tick) side by
 * side with two baselines on the same plant, the same seeds and the same
 * sensor noise:
 *
 *   on_off        what simple hot/cold devices do: in a warm phase a heater
 *                 thermostat, in a cool phase a cooler one, full power on
 *                 beyond 0.5 C from the setpoint on the wrong side and off
 *                 beyond 0.5 C on the other (+-0.5 C hysteresis).
 *   textbook_pid  u = Kp e + Ki integral(e) + Kd de/dt on the reading, one
 *                 gain set, no anti-windup (the integral is never clamped or
 *                 reset), no derivative filter, no setpoint handover; gains
 *                 from a relay test (Astrom-Hagglund) on this plant and the
 *                 classic Ziegler-Nichols rule.
 *
 * The baselines run the same program clock (program_run_advance, the same
 * in-band test) but no safety supervisor: what they would do to the pad is
 * the figure.
 *
 * Per zone and phase it prints one JSON line: the full-power bound (the same
 * plant copied at the tick the phase began, driven at constant +-1 duty
 * until the true pad is within SETTLE_C of the setpoint), the settle time
 * (from the phase start to the first tick after which the true pad stays
 * within SETTLE_C to the end of the phase), the overshoot past the setpoint
 * in the direction of travel, the RMS and peak-to-peak of the true pad
 * about the setpoint over the timed part of the phase (from when every zone
 * read within band_c: the program's own "settled"), polarity reversals that
 * are not the one a phase change asks for, and the time in band. Then one
 * line per run with its end state. tests/bench/report.py aggregates.
 *
 *   bench_control [--seeds N] [--program NAME] [--controller NAME] [--corner NAME|all]
 *
 * Without --corner: the reference plant, every program and controller.
 * --corner NAME: that corner of the world's envelope (bench_world.c), the
 * shipped program, contrastd (unless --program or --controller say
 * otherwise). --corner all: the reference plant as without it, then every
 * other corner so.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench_world.h"
#include "core/controller.h"
#include "core/dose.h"
#include "core/program.h"
#include "core/sensor.h"
#include "daemon/config_parse.h"
#include "sim/hw_sim.h"

#define SETTLE_C        0.3     /* the bound's and the settle time's band */
#define BOUND_MAX_S     900.0   /* a bound longer than this is "unreachable" */
#define MAX_PHASES      64
#define RELAY_C         0.1     /* relay hysteresis of the tuning test */

enum ctl_kind { CTL_CONTRASTD, CTL_ON_OFF, CTL_TEXTBOOK_PID, CTL_COUNT };
static const char *const ctl_names[CTL_COUNT] = { "contrastd", "on_off", "textbook_pid" };

struct textbook_gains {
	double kp, ki, kd;
	double ku, tu_s, amplitude_c;   /* from the relay test */
};

/* Per zone and phase: the figures. */
struct phase_stats {
	double start_s, end_s, setpoint_c, start_true_c;
	int dir;                        /* +1 heating toward the setpoint, -1 cooling */
	double bound_s;                 /* NAN: not reachable at full power */
	double last_out_s;              /* the last tick the true pad was outside SETTLE_C */
	bool ever_out;
	double overshoot_c;
	bool timed;                     /* the hold window (the timed part) has begun */
	double hold_start_s;
	double sum_sq, min_c, max_c;
	long n_hold;
	int reversals;
	bool free_reversal_used;        /* the one reversal toward the new setpoint */
	long ticks, ticks_in_band;
};

struct run {
	enum ctl_kind kind;
	const struct config *cfg;
	struct program prog;
	struct hw_sim sim;
	struct controller ctl;          /* contrastd */
	/* the baselines' program clock and state */
	struct program_run prun;
	bool b_running;
	int onoff_on[MAX_ZONES];        /* 0 off, else the polarity driven */
	double pid_integral[MAX_ZONES], pid_prev_error[MAX_ZONES];
	bool pid_primed[MAX_ZONES];
	struct textbook_gains tb;
	/* what the run measured */
	int n_phases, cur_phase;
	struct phase_stats ph[MAX_ZONES][MAX_PHASES];
	int last_sign[MAX_ZONES];       /* last non-zero polarity driven */
	double max_true_c, min_true_c;
	long ticks_running, ticks_in_band[MAX_ZONES];
	const char *end;                /* "completed", "fault ...", "timeout" */
	char fault[96];
};

static struct config base_cfg;
static FILE *trace;     /* --trace: contrastd's inner state per tick, zone 0 */
static const char *inject_spec; /* --inject KIND[:ZONE]@S, for looking into a fault */

/* ---- the plant at full power, from a copy ---------------------------------- */

/* Drive the simulation the way the daemon does: through the hardware table's apply. */
static void apply(struct hw_sim *sim, double now_s, const struct tick_outputs *out)
{
	int failed_zone = -1;

	if (hw_sim_hw(sim).ops->apply(sim, now_s, out, &failed_zone) < 0) {
		fprintf(stderr, "bench_control: the simulated hardware refused the outputs\n");
		exit(2);
	}
}

/*
 * Ticks (at dt_s) until the true pad of zone z is within SETTLE_C of
 * setpoint_c, driving every zone at constant full duty toward it (fans on,
 * power on), from a copy of the simulation as it is now.
 */
static void full_power_bound(const struct hw_sim *now, const double setpoint_c[], double dt_s,
			     double bound_s[])
{
	static struct hw_sim copy;
	int n = now->n_zones;
	bool done[MAX_ZONES] = { false };
	int left = n;
	double t0_s = now->plant.t_s;

	struct tick_outputs full;

	copy = *now;
	memset(&full, 0, sizeof(full));
	full.power = true;
	for (int z = 0; z < n; z++) {
		double d_c = setpoint_c[z] - copy.plant.zone[z].pad_c;

		full.duty[z] = d_c >= 0.0 ? 1.0 : -1.0;
		full.fan[z] = true;
		bound_s[z] = NAN;
		if (fabs(d_c) <= SETTLE_C) {
			bound_s[z] = 0.0;
			done[z] = true;
			left--;
		}
	}
	apply(&copy, t0_s, &full);
	for (double t_s = dt_s; left > 0 && t_s <= BOUND_MAX_S + 1e-9; t_s += dt_s) {
		hw_sim_advance(&copy, t0_s + t_s);
		for (int z = 0; z < n; z++) {
			if (done[z] || fabs(copy.plant.zone[z].pad_c - setpoint_c[z]) > SETTLE_C)
				continue;
			bound_s[z] = t_s;
			done[z] = true;
			left--;
		}
	}
}

/* ---- the baselines ----------------------------------------------------------- */

static double on_off_duty(struct run *r, int z, enum phase_kind kind, double sp_c, double read_c)
{
	int want = kind == PHASE_WARM ? +1 : -1;
	double beyond_c = (sp_c - read_c) * want;       /* > 0: on the side the mode corrects */

	if (r->onoff_on[z] != want)
		r->onoff_on[z] = 0;
	if (beyond_c > 0.5)
		r->onoff_on[z] = want;
	else if (beyond_c < -0.5)
		r->onoff_on[z] = 0;
	return r->onoff_on[z];
}

static double textbook_pid_duty(struct run *r, int z, double sp_c, double read_c, double dt_s)
{
	double e = sp_c - read_c;
	double de = r->pid_primed[z] ? (e - r->pid_prev_error[z]) / dt_s : 0.0;
	double u;

	r->pid_integral[z] += e * dt_s;
	r->pid_prev_error[z] = e;
	r->pid_primed[z] = true;
	u = r->tb.kp * e + r->tb.ki * r->pid_integral[z] + r->tb.kd * de;
	return u > 1.0 ? 1.0 : u < -1.0 ? -1.0 : u;
}

/* The pad reading the way the controller forms it (one sensor, or the mean of two). */
static bool pad_reading(const struct config *cfg, const struct tick_inputs *in, int z, double *c)
{
	struct reading a, b;

	sensor_interpret(&cfg->thermistor, &in->pad[z], &a);
	if (a.status != READING_OK)
		return false;
	*c = a.temp_c;
	if (cfg->zones[z].pad_sensor2[0]) {
		sensor_interpret(&cfg->thermistor, &in->pad2[z], &b);
		if (b.status != READING_OK)
			return false;
		*c = 0.5 * (a.temp_c + b.temp_c);
	}
	return true;
}

/*
 * Relay test around mid_c from rest: full heat below, full cool above
 * (hysteresis RELAY_C), for 900 s; amplitude and period of the reading over
 * the last cycles. Ku = 4 d / (pi sqrt(a^2 - eps^2)); Ziegler-Nichols PID:
 * Kp = 0.6 Ku, Ti = Tu / 2, Td = Tu / 8.
 */
static struct textbook_gains relay_tune(const struct config *cfg, double mid_c, uint64_t seed)
{
	static struct hw_sim sim;
	struct textbook_gains g = { 0 };
	double dt_s = 1.0 / cfg->daemon.control_hz;
	int u = 1;
	double up_t[256];
	int n_up = 0;
	double hi = -INFINITY, lo = INFINITY;
	double amp_sum = 0.0;
	int amp_n = 0;

	struct tick_outputs out;

	hw_sim_init(&sim, cfg, seed);
	memset(&out, 0, sizeof(out));
	out.power = true;
	out.fan[0] = true;
	for (double t_s = 0.0; t_s < 900.0; t_s += dt_s) {
		struct tick_inputs in;
		double c;

		hw_sim_advance(&sim, t_s);
		memset(&in, 0, sizeof(in));
		hw_sim_hw(&sim).ops->read(&sim, t_s, &in);
		if (!pad_reading(cfg, &in, 0, &c))
			continue;
		if (t_s > 300.0) {
			hi = fmax(hi, c);
			lo = fmin(lo, c);
		}
		if (u > 0 && c > mid_c + RELAY_C) {
			u = -1;
		} else if (u < 0 && c < mid_c - RELAY_C) {
			u = 1;
			/* A cycle ends at each switch to heat. */
			if (t_s > 300.0 && n_up < 256) {
				up_t[n_up++] = t_s;
				if (isfinite(hi)) {
					amp_sum += (hi - lo) / 2.0;
					amp_n++;
				}
				hi = -INFINITY;
				lo = INFINITY;
			}
		}
		out.duty[0] = u;
		apply(&sim, t_s, &out);
	}
	if (n_up < 3 || amp_n < 2) {
		fprintf(stderr, "bench_control: the relay test did not oscillate\n");
		exit(2);
	}
	/* Skip the first (partial) amplitude window. */
	g.amplitude_c = (amp_sum - 0.0) / amp_n;
	g.tu_s = (up_t[n_up - 1] - up_t[0]) / (n_up - 1);
	double a = g.amplitude_c > RELAY_C ? sqrt(g.amplitude_c * g.amplitude_c - RELAY_C * RELAY_C) : g.amplitude_c;

	g.ku = 4.0 * 1.0 / (M_PI * a);
	g.kp = 0.6 * g.ku;
	g.ki = g.kp / (g.tu_s / 2.0);
	g.kd = g.kp * (g.tu_s / 8.0);
	return g;
}

/* ---- one run ------------------------------------------------------------------- */

static void begin_phase(struct run *r, int phase, double now_s, const double sp_c[])
{
	int n = r->cfg->n_zones;
	double bound_s[MAX_ZONES];

	if (phase >= MAX_PHASES)
		return;
	full_power_bound(&r->sim, sp_c, 1.0 / r->cfg->daemon.control_hz, bound_s);
	for (int z = 0; z < n; z++) {
		struct phase_stats *p = &r->ph[z][phase];
		double true_c = r->sim.plant.zone[z].pad_c;

		if (r->cur_phase >= 0 && r->cur_phase < MAX_PHASES)
			r->ph[z][r->cur_phase].end_s = now_s;
		memset(p, 0, sizeof(*p));
		p->start_s = now_s;
		p->setpoint_c = sp_c[z];
		p->start_true_c = true_c;
		p->dir = sp_c[z] >= true_c ? 1 : -1;
		p->bound_s = bound_s[z];
		p->last_out_s = now_s;
		p->min_c = INFINITY;
		p->max_c = -INFINITY;
	}
	r->cur_phase = phase;
	r->n_phases = phase + 1;
}

/* After a tick: the true pads at now_s, what was driven, the readings. */
static void observe(struct run *r, double now_s, const double sp_c[], const double duty[],
		    bool all_read_in_band, bool timed_clock_started)
{
	int n = r->cfg->n_zones;

	(void)all_read_in_band;
	if (r->cur_phase < 0 || r->cur_phase >= MAX_PHASES)
		return;
	r->ticks_running++;
	for (int z = 0; z < n; z++) {
		struct phase_stats *p = &r->ph[z][r->cur_phase];
		double true_c = r->sim.plant.zone[z].pad_c;
		double err_c = true_c - sp_c[z];

		r->max_true_c = fmax(r->max_true_c, true_c);
		r->min_true_c = fmin(r->min_true_c, true_c);
		p->ticks++;
		if (fabs(err_c) <= r->prog.band_c) {
			p->ticks_in_band++;
			r->ticks_in_band[z]++;
		}
		if (fabs(err_c) > SETTLE_C) {
			p->last_out_s = now_s;
			p->ever_out = true;
		}
		p->overshoot_c = fmax(p->overshoot_c, err_c * p->dir);
		if (!p->timed && timed_clock_started) {
			p->timed = true;
			p->hold_start_s = now_s;
		}
		if (p->timed) {
			p->sum_sq += err_c * err_c;
			p->min_c = fmin(p->min_c, true_c);
			p->max_c = fmax(p->max_c, true_c);
			p->n_hold++;
		}
		int sign = duty[z] > 0.0 ? 1 : duty[z] < 0.0 ? -1 : 0;

		if (sign != 0) {
			if (r->last_sign[z] != 0 && sign != r->last_sign[z]) {
				if (!p->free_reversal_used && sign == p->dir)
					p->free_reversal_used = true;
				else
					p->reversals++;
			}
			if (sign == p->dir)
				p->free_reversal_used = true;  /* driving toward it already: no free one later */
			r->last_sign[z] = sign;
		}
	}
}

static bool readings_in_band(const struct run *r, const struct tick_inputs *in, const double sp_c[])
{
	for (int z = 0; z < r->cfg->n_zones; z++) {
		double c;

		if (!pad_reading(r->cfg, in, z, &c) || fabs(c - sp_c[z]) > r->prog.band_c)
			return false;
	}
	return true;
}

static void run_session(struct run *r, uint64_t seed, const struct bench_corner *corner)
{
	static struct config cfg;
	double dt_s;
	double max_s;
	int n;

	cfg = *r->cfg;
	cfg.programs[0] = r->prog;
	cfg.n_programs = cfg.n_programs > 0 ? cfg.n_programs : 1;
	r->cfg = &cfg;
	n = cfg.n_zones;
	dt_s = 1.0 / cfg.daemon.control_hz;
	max_s = program_planned_s(&r->prog) + 600.0;
	hw_sim_init(&r->sim, &cfg, seed);
	if (bench_world_apply(&r->sim, &cfg, corner) < 0) {
		fprintf(stderr, "bench_control: cannot put the plant at corner %s\n", corner->name);
		exit(2);
	}
	if (inject_spec) {
		struct sim_injection inj;
		char err[256];

		if (sim_injection_parse(inject_spec, &cfg, &inj, err, sizeof(err)) < 0) {
			fprintf(stderr, "bench_control: %s\n", err);
			exit(2);
		}
		hw_sim_add_injection(&r->sim, &inj);
	}
	controller_init(&r->ctl, &cfg);
	r->cur_phase = -1;
	r->n_phases = 0;
	r->max_true_c = -INFINITY;
	r->min_true_c = INFINITY;
	r->ticks_running = 0;
	memset(r->ticks_in_band, 0, sizeof(r->ticks_in_band));
	memset(r->last_sign, 0, sizeof(r->last_sign));
	memset(r->onoff_on, 0, sizeof(r->onoff_on));
	memset(r->pid_integral, 0, sizeof(r->pid_integral));
	memset(r->pid_primed, 0, sizeof(r->pid_primed));
	r->end = "timeout";
	r->fault[0] = '\0';
	r->b_running = false;

	/* As the daemon with --start: one idle tick at 0, the session starts, ticks follow. */
	for (long k = 0;; k++) {
		double now_s = k * dt_s;
		struct tick_inputs in;
		struct tick_outputs out;
		double sp_c[MAX_ZONES], duty[MAX_ZONES];
		bool phase_changed = false, running, timed;
		int phase;

		if (now_s > max_s)
			break;
		hw_sim_advance(&r->sim, now_s);
		memset(&in, 0, sizeof(in));
		in.loop_gap_s = dt_s;
		hw_sim_hw(&r->sim).ops->read(&r->sim, now_s, &in);
		memset(&out, 0, sizeof(out));

		if (r->kind == CTL_CONTRASTD) {
			struct tick_events ev;

			controller_tick(&r->ctl, now_s, &in, &out, &ev);
			if (k == 0) {
				char why[256];

				if (controller_start(&r->ctl, NULL, now_s, why, sizeof(why)) < 0) {
					fprintf(stderr, "bench_control: start refused: %s\n", why);
					exit(2);
				}
				apply(&r->sim, now_s, &out);
				continue;
			}
			running = r->ctl.state == SESSION_RUNNING;
			phase = r->ctl.run.phase;
			phase_changed = ev.phase_changed && running;
			timed = r->ctl.run.settled;
			for (int z = 0; z < n; z++)
				sp_c[z] = r->ctl.zone[z].setpoint_c;
			if (!running) {
				apply(&r->sim, now_s, &out);
				if (r->ctl.state == SESSION_FAULT) {
					const char *names[MAX_ZONES];

					for (int z = 0; z < MAX_ZONES; z++)
						names[z] = z < n ? cfg.zones[z].name : "?";
					safety_describe(safety_latched_fault(&r->ctl.safety), names, r->fault,
							sizeof(r->fault));
					r->end = "fault";
				} else {
					r->end = session_state_name(r->ctl.state);
				}
				break;
			}
		} else {
			if (k == 0) {
				program_run_start(&r->prun, now_s);
				r->b_running = true;
				phase_changed = false;
				continue;
			}
			for (int z = 0; z < n; z++)
				sp_c[z] = program_phase_setpoint_c(&r->prog, r->prun.phase);
			int before = r->prun.phase;

			program_run_advance(&r->prog, &r->prun, now_s, readings_in_band(r, &in, sp_c));
			if (r->prun.done) {
				r->end = "completed";
				memset(&out, 0, sizeof(out));
				apply(&r->sim, now_s, &out);
				break;
			}
			phase = r->prun.phase;
			phase_changed = phase != before || k == 1;
			timed = r->prun.settled;
			enum phase_kind kind = program_phase_kind(&r->prog, phase);

			out.power = true;
			for (int z = 0; z < n; z++) {
				double c;

				sp_c[z] = program_phase_setpoint_c(&r->prog, phase);
				out.fan[z] = true;
				if (!pad_reading(&cfg, &in, z, &c))
					continue;
				out.duty[z] = r->kind == CTL_ON_OFF ? on_off_duty(r, z, kind, sp_c[z], c)
								    : textbook_pid_duty(r, z, sp_c[z], c, dt_s);
			}
			running = true;
		}
		if (r->kind == CTL_CONTRASTD && k == 1)
			phase_changed = true;
		if (phase_changed)
			begin_phase(r, phase, now_s, sp_c);
		for (int z = 0; z < n; z++)
			duty[z] = out.duty[z];
		apply(&r->sim, now_s, &out);
		observe(r, now_s, sp_c, duty, false, timed);
		if (trace && r->kind == CTL_CONTRASTD) {
			const struct pid_state *ps = &r->ctl.zone[0].pid;

			fprintf(trace, "%.1f,%d,%.2f,%.4f,%.4f,%.4f,%.4f,%d,%d,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.1f,%d\n", now_s, phase,
				sp_c[0], r->sim.plant.zone[0].pad_c, r->ctl.zone[0].pad_c, ps->est_c, duty[0],
				ps->mode, ps->hold_polarity, ps->ff_term, ps->obs.x[OBS_D], ps->obs.x[OBS_BH],
				ps->obs.x[OBS_BC], r->sim.plant.zone[0].sink_c, ps->innovation_avg_c, ps->unseen_s, hw_sim_drive(&r->sim, 0));
		}
	}
	if (r->cur_phase >= 0 && r->cur_phase < MAX_PHASES)
		for (int z = 0; z < n; z++)
			r->ph[z][r->cur_phase].end_s = r->sim.plant.t_s;
	r->cfg = &base_cfg;
}

/* ---- output -------------------------------------------------------------------- */

static const char *transition_name(const struct run *r, int phase)
{
	if (phase == 0)
		return program_phase_kind(&r->prog, 0) == PHASE_WARM ? "rest->warm" : "rest->cool";
	return program_phase_kind(&r->prog, phase) == PHASE_WARM ? "cool->warm" : "warm->cool";
}

static void print_json_num(const char *key, double v, bool comma)
{
	if (isfinite(v))
		printf("\"%s\":%.4f%s", key, v, comma ? "," : "");
	else
		printf("\"%s\":null%s", key, comma ? "," : "");
}

static void print_run(const struct run *r, const char *program, const char *corner, uint64_t seed)
{
	for (int z = 0; z < r->cfg->n_zones; z++) {
		for (int ph = 0; ph < r->n_phases && ph < MAX_PHASES; ph++) {
			const struct phase_stats *p = &r->ph[z][ph];
			/* Settled: inside SETTLE_C from the tick after the last one outside, to the end. */
			double settle_s = !p->ever_out ? 0.0 : p->last_out_s + 1.0 / r->cfg->daemon.control_hz - p->start_s;
			bool settled = p->end_s - p->start_s > settle_s + 1e-6;
			bool whole = ph < r->n_phases - 1 || strcmp(r->end, "completed") == 0;

			printf("{\"type\":\"phase\",\"program\":\"%s\",\"corner\":\"%s\",\"controller\":\"%s\","
			       "\"seed\":%llu,\"zone\":%d,\"phase\":%d,\"transition\":\"%s\",\"complete\":%s,",
			       program, corner, ctl_names[r->kind], (unsigned long long)seed, z, ph,
			       transition_name(r, ph), whole ? "true" : "false");
			print_json_num("setpoint_c", p->setpoint_c, true);
			print_json_num("start_c", p->start_true_c, true);
			print_json_num("length_s", p->end_s - p->start_s, true);
			print_json_num("bound_s", p->bound_s, true);
			print_json_num("settle_s", settled ? settle_s : NAN, true);
			print_json_num("settle_ratio", settled && p->bound_s > 0 ? settle_s / p->bound_s : NAN, true);
			print_json_num("overshoot_c", p->overshoot_c, true);
			print_json_num("hold_s", p->timed ? p->end_s - p->hold_start_s : NAN, true);
			print_json_num("hold_rms_c", p->n_hold ? sqrt(p->sum_sq / p->n_hold) : NAN, true);
			print_json_num("hold_pp_c", p->n_hold ? p->max_c - p->min_c : NAN, true);
			printf("\"reversals\":%d,", p->reversals);
			print_json_num("in_band", p->ticks ? (double)p->ticks_in_band / p->ticks : NAN, false);
			printf("}\n");
		}
		printf("{\"type\":\"run\",\"program\":\"%s\",\"corner\":\"%s\",\"controller\":\"%s\","
		       "\"seed\":%llu,\"zone\":%d,\"end\":\"%s\",\"fault\":\"%s\",\"phases\":%d,",
		       program, corner, ctl_names[r->kind], (unsigned long long)seed, z, r->end, r->fault,
		       r->n_phases);
		print_json_num("max_true_c", r->max_true_c, true);
		print_json_num("min_true_c", r->min_true_c, true);
		print_json_num("in_band", r->ticks_running ? (double)r->ticks_in_band[z] / r->ticks_running : NAN,
			       false);
		printf("}\n");
	}
}

/* ---- programs ------------------------------------------------------------------ */

struct bench_program {
	const char *name;
	struct program prog;
};

/* Whether a fresh session (nothing used yet today) may run program p under cfg's budgets. */
static bool dose_fits(const struct config *cfg, const struct program *p)
{
	const struct dose_params *d = &cfg->dose;
	struct dose_amount planned = dose_planned(p, d->cold_c);
	double heat_max = fmin(fmin(d->heat_dose_min, d->heat_dose_day_min), HARD_MAX_HEAT_DOSE_DAY_MIN);
	double cold_max = fmin(fmin(d->cold_min, d->cold_day_min), fmin(HARD_MAX_COLD_MIN, HARD_MAX_COLD_DAY_MIN));

	return planned.heat_min <= heat_max && planned.cold_min <= cold_max;
}

static int make_programs(const struct config *cfg, struct bench_program out[3])
{
	const struct program *shipped = &cfg->programs[0];
	double top_c = fmin(cfg->safety.max_pad_c, HARD_MAX_PAD_C) - SETPOINT_MARGIN_C;
	double bottom_c = fmax(cfg->safety.min_pad_c, HARD_MIN_PAD_C) + SETPOINT_MARGIN_C;

	out[0].name = "shipped";
	out[0].prog = *shipped;
	out[1].name = "extremes";
	out[1].prog = *shipped;
	out[1].prog.warm_c = top_c;
	out[1].prog.cool_c = bottom_c;
	snprintf(out[1].prog.name, sizeof(out[1].prog.name), "extremes");
	/* As many cycles as the config's dose budgets let a session start with (at 14 C the cold one). */
	while (out[1].prog.cycles > 1 && !dose_fits(cfg, &out[1].prog))
		out[1].prog.cycles--;
	out[2].name = "60s/30s";
	out[2].prog = *shipped;
	out[2].prog.warm_s = 60.0;
	out[2].prog.cool_s = 30.0;
	snprintf(out[2].prog.name, sizeof(out[2].prog.name), "short-phases");
	return 3;
}

static bool corner_known(const char *name)
{
	for (int ci = 0; ci < bench_corner_count(); ci++)
		if (strcmp(bench_corner_get(ci)->name, name) == 0)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	static struct run run;
	struct config_error err;
	struct bench_program progs[3];
	int seeds = 20;
	const char *only_program = NULL, *only_controller = NULL, *only_corner = NULL;
	const char *config_path = "config/contrastd.conf";
	int opt;

	static const struct option longopts[] = {
		{ "seeds", required_argument, NULL, 's' },
		{ "program", required_argument, NULL, 'p' },
		{ "controller", required_argument, NULL, 'k' },
		{ "corner", required_argument, NULL, 'w' },
		{ "config", required_argument, NULL, 'c' },
		{ "trace", required_argument, NULL, 't' },
		{ "inject", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	while ((opt = getopt_long(argc, argv, "s:p:k:w:c:t:i:", longopts, NULL)) != -1) {
		switch (opt) {
		case 's': seeds = atoi(optarg); break;
		case 'p': only_program = optarg; break;
		case 'k': only_controller = optarg; break;
		case 'w': only_corner = optarg; break;
		case 'c': config_path = optarg; break;
		case 'i': inject_spec = optarg; break;
		case 't':
			trace = fopen(optarg, "w");
			if (trace)
				fprintf(trace, "t,phase,sp,true,read,est,duty,mode,pol,ff,d,bh,bc,sink,innov,unseen,drive\n");
			break;
		default:
			fprintf(stderr, "usage: bench_control [--seeds N] [--program NAME] [--controller NAME] "
				"[--corner NAME|all] [--config FILE] [--trace CSV] [--inject SPEC]\n");
			return 2;
		}
	}
	if (config_load(config_path, &base_cfg, &err) < 0) {
		fprintf(stderr, "bench_control: %s\n", err.msg);
		return 2;
	}
	int n_progs = make_programs(&base_cfg, progs);
	struct textbook_gains tb = relay_tune(&base_cfg,
					      (base_cfg.programs[0].warm_c + base_cfg.programs[0].cool_c) / 2.0, 1);

	printf("{\"type\":\"relay\",\"mid_c\":%.2f,\"amplitude_c\":%.4f,\"tu_s\":%.3f,\"ku\":%.4f,"
	       "\"kp\":%.4f,\"ki\":%.5f,\"kd\":%.4f}\n",
	       (base_cfg.programs[0].warm_c + base_cfg.programs[0].cool_c) / 2.0, tb.amplitude_c, tb.tu_s,
	       tb.ku, tb.kp, tb.ki, tb.kd);
	bool all_corners = only_corner && strcmp(only_corner, "all") == 0;

	if (only_corner && !all_corners && !corner_known(only_corner)) {
		fprintf(stderr, "bench_control: no corner %s (", only_corner);
		for (int ci = 0; ci < bench_corner_count(); ci++)
			fprintf(stderr, "%s%s", ci ? ", " : "", bench_corner_get(ci)->name);
		fprintf(stderr, "%s)\n", bench_corner_count() > 1 ? "" : "; the plant has no struct sim_world");
		return 2;
	}
	for (int ci = 0; ci < bench_corner_count(); ci++) {
		const struct bench_corner *corner = bench_corner_get(ci);

		/* Without --corner the reference only; with all, every one; else the one named. */
		if (only_corner && !all_corners ? strcmp(only_corner, corner->name) != 0 : !all_corners && ci > 0)
			continue;
		for (int pi = 0; pi < n_progs; pi++) {
			if (only_program && strcmp(only_program, progs[pi].name) != 0)
				continue;
			/* The corners: the shipped program only, contrastd only. */
			if (ci > 0 && pi > 0 && !only_program)
				continue;
			for (int k = 0; k < CTL_COUNT; k++) {
				if (only_controller ? strcmp(only_controller, ctl_names[k]) != 0 : ci > 0 && k > 0)
					continue;
				for (int s = 1; s <= seeds; s++) {
					memset(&run, 0, sizeof(run));
					run.kind = (enum ctl_kind)k;
					run.cfg = &base_cfg;
					run.prog = progs[pi].prog;
					run.tb = tb;
					run_session(&run, (uint64_t)s, corner);
					print_run(&run, progs[pi].name, corner->name, (uint64_t)s);
				}
				fflush(stdout);
			}
		}
	}
	return 0;
}
