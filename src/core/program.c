/* SPDX-License-Identifier: MIT */
/* The therapy program and its clock. See program.h. */
#include "program.h"

const char *phase_kind_name(enum phase_kind k)
{
	return k == PHASE_WARM ? "warm" : "cool";
}

const char *phase_clock_name(enum phase_clock c)
{
	return c == PHASE_CLOCK_WALL ? "wall" : "settled";
}

int program_phase_count(const struct program *p)
{
	return 2 * p->cycles + (p->last == p->first ? 1 : 0);
}

enum phase_kind program_phase_kind(const struct program *p, int phase)
{
	if (phase % 2 == 0)
		return p->first;
	return p->first == PHASE_WARM ? PHASE_COOL : PHASE_WARM;
}

double program_phase_setpoint_c(const struct program *p, int phase)
{
	return program_phase_kind(p, phase) == PHASE_WARM ? p->warm_c : p->cool_c;
}

double program_phase_length_s(const struct program *p, int phase)
{
	return program_phase_kind(p, phase) == PHASE_WARM ? p->warm_s : p->cool_s;
}

int program_phase_cycle(const struct program *p, int phase)
{
	int cycle = phase / 2 + 1;

	return cycle > p->cycles ? p->cycles : cycle;
}

double program_phase_end_nominal_s(const struct program *p, int phase)
{
	double total_s = 0.0;

	for (int i = 0; i <= phase && i < program_phase_count(p); i++)
		total_s += program_phase_length_s(p, i);
	return total_s;
}

double program_phase_end_worst_s(const struct program *p, int phase)
{
	double total_s = 0.0;

	for (int i = 0; i <= phase && i < program_phase_count(p); i++) {
		total_s += program_phase_length_s(p, i);
		if (p->clock == PHASE_CLOCK_SETTLED)
			total_s += p->settle_max_s;
	}
	return total_s;
}

double program_planned_s(const struct program *p)
{
	return program_phase_end_worst_s(p, program_phase_count(p) - 1);
}

double program_nominal_s(const struct program *p)
{
	return program_phase_end_nominal_s(p, program_phase_count(p) - 1);
}

static void begin_phase(const struct program *p, struct program_run *r, double now_s)
{
	r->phase_start_s = now_s;
	r->settled = p->clock == PHASE_CLOCK_WALL;
	r->count_from_s = now_s;
}

void program_run_start(struct program_run *r, double now_s)
{
	r->phase = 0;
	r->done = false;
	r->phase_start_s = now_s;
	r->count_from_s = now_s;
	/* begin_phase() needs the program; the first advance() settles this. */
	r->settled = false;
}

bool program_run_advance(const struct program *p, struct program_run *r,
			 double now_s, bool all_in_band)
{
	if (r->done)
		return false;
	if (p->clock == PHASE_CLOCK_WALL)
		r->settled = true;
	if (!r->settled) {
		if (all_in_band) {
			r->settled = true;
			r->count_from_s = now_s;
		} else if (now_s - r->phase_start_s >= p->settle_max_s) {
			r->settled = true;
			r->count_from_s = r->phase_start_s + p->settle_max_s;
		}
	}
	if (!r->settled || now_s - r->count_from_s < program_phase_length_s(p, r->phase))
		return false;

	/* The phase ended at a tick boundary: the next counts from now. */
	r->phase++;
	if (r->phase >= program_phase_count(p)) {
		r->done = true;
		return true;
	}
	begin_phase(p, r, now_s);
	return true;
}

double program_run_phase_left_s(const struct program *p, const struct program_run *r, double now_s)
{
	if (r->done)
		return 0.0;
	double length_s = program_phase_length_s(p, r->phase);

	if (!r->settled)
		return length_s;
	double left_s = length_s - (now_s - r->count_from_s);

	return left_s > 0.0 ? left_s : 0.0;
}
