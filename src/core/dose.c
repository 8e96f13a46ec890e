/* SPDX-License-Identifier: MIT */
/* Dose budgets. See dose.h and docs/safety.md, "Dose budgets". */
#include <math.h>
#include <string.h>
#include "dose.h"
#include "safety.h"

/* CEM43's reference temperature and its two R (Sapareto and Dewey 1984). */
#define CEM43_REF_C     43.0
#define CEM43_R_ABOVE   0.5
#define CEM43_R_BELOW   0.25
/* Comparing a dose with a budget: a rounding of a night's sums is not a trip. */
#define DOSE_EPS_MIN    1e-9

double dose_cem43_min(double temp_c, double dt_s)
{
	if (!isfinite(temp_c) || !(dt_s > 0.0))
		return 0.0;
	double r = temp_c >= CEM43_REF_C ? CEM43_R_ABOVE : CEM43_R_BELOW;

	return dt_s / 60.0 * pow(r, CEM43_REF_C - temp_c);
}

double dose_cold_min(double temp_c, double cold_c, double dt_s)
{
	if (!isfinite(temp_c) || !(dt_s > 0.0) || !(temp_c <= cold_c))
		return 0.0;
	return dt_s / 60.0;
}

struct dose_amount dose_planned(const struct program *p, double cold_c)
{
	struct dose_amount d = { 0.0, 0.0 };
	double margin_c = p->band_c + SAFETY_SENSOR_ERROR_C;
	int n = program_phase_count(p);

	for (int i = 0; i < n; i++) {
		double sp = program_phase_setpoint_c(p, i);
		double len_s = program_phase_length_s(p, i);

		if (p->clock == PHASE_CLOCK_SETTLED)
			len_s += p->settle_max_s;
		d.heat_min += dose_cem43_min(sp + margin_c, len_s);
		d.cold_min += dose_cold_min(sp - margin_c, cold_c, len_s);
	}
	return d;
}

bool dose_entry_counts(const struct dose_entry *e, double now_s)
{
	return e->t_s + DOSE_DAY_S > now_s;
}

void dose_ledger_prune(struct dose_ledger *l, double now_s)
{
	int kept = 0;

	for (int i = 0; i < l->n; i++)
		if (dose_entry_counts(&l->e[i], now_s))
			l->e[kept++] = l->e[i];
	l->n = kept;
}

static int entry_zone(const struct dose_entry *e, const char *zone)
{
	for (int z = 0; z < e->n_zones && z < MAX_ZONES; z++)
		if (strcmp(e->zone[z], zone) == 0)
			return z;
	return -1;
}

/* The earlier of a (NAN: none) and b. */
static double earliest(double a, double b)
{
	return isnan(a) || b < a ? b : a;
}

void dose_left_for(const struct dose_ledger *l, const struct dose_params *p, const char *zone,
		   double now_s, struct dose_left *out)
{
	int sessions = 0;

	memset(out, 0, sizeof(*out));
	out->heat_until_s = out->cold_until_s = out->sessions_until_s = NAN;
	if (l->unreadable) {
		out->heat_used_min = p->heat_dose_day_min;
		out->cold_used_min = p->cold_day_min;
		return;         /* nothing left, and no time when it comes back */
	}
	for (int i = 0; i < l->n; i++) {
		const struct dose_entry *e = &l->e[i];
		double back_s = e->t_s + DOSE_DAY_S;
		int z;

		if (!dose_entry_counts(e, now_s))
			continue;
		sessions++;
		out->sessions_until_s = earliest(out->sessions_until_s, back_s);
		z = entry_zone(e, zone);
		if (z < 0)
			continue;
		if (e->dose[z].heat_min > 0.0) {
			out->heat_used_min += e->dose[z].heat_min;
			out->heat_until_s = earliest(out->heat_until_s, back_s);
		}
		if (e->dose[z].cold_min > 0.0) {
			out->cold_used_min += e->dose[z].cold_min;
			out->cold_until_s = earliest(out->cold_until_s, back_s);
		}
	}
	out->heat_min = fmax(0.0, fmin(p->heat_dose_day_min, HARD_MAX_HEAT_DOSE_DAY_MIN) - out->heat_used_min);
	out->cold_min = fmax(0.0, fmin(p->cold_day_min, HARD_MAX_COLD_DAY_MIN) - out->cold_used_min);
	int per_day = p->sessions_per_day < HARD_MAX_SESSIONS_PER_DAY ? p->sessions_per_day
								      : HARD_MAX_SESSIONS_PER_DAY;

	out->sessions = per_day > sessions ? per_day - sessions : 0;
}

static int refuse(struct dose_verdict *v, enum dose_refusal r, int zone, double left, double of,
		  double needs, double until_s)
{
	v->refusal = r;
	v->zone = zone;
	v->left = left;
	v->of = of;
	v->needs = needs;
	v->until_s = until_s;
	return -1;
}

int dose_start_check(const struct dose_ledger *l, const struct dose_params *p,
		     const char *const names[], int n_zones, struct dose_amount planned, double now_s,
		     struct dose_amount allowance[MAX_ZONES], struct dose_verdict *v)
{
	double heat_session = fmin(p->heat_dose_min, HARD_MAX_HEAT_DOSE_DAY_MIN);
	double heat_day = fmin(p->heat_dose_day_min, HARD_MAX_HEAT_DOSE_DAY_MIN);
	double cold_session = fmin(p->cold_min, HARD_MAX_COLD_MIN);
	double cold_day = fmin(p->cold_day_min, HARD_MAX_COLD_DAY_MIN);
	int live = 0;

	memset(v, 0, sizeof(*v));
	v->zone = -1;
	v->until_s = NAN;
	if (l->unreadable)
		return refuse(v, DOSE_UNREADABLE, -1, 0.0, 0.0, 0.0, NAN);
	for (int i = 0; i < l->n; i++)
		live += dose_entry_counts(&l->e[i], now_s);
	if (live >= DOSE_LEDGER_MAX)
		return refuse(v, DOSE_FULL, -1, 0.0, DOSE_LEDGER_MAX, 1.0, NAN);
	for (int z = 0; z < n_zones && z < MAX_ZONES; z++) {
		struct dose_left left;

		dose_left_for(l, p, names[z], now_s, &left);
		if (z == 0 && left.sessions < 1)
			return refuse(v, DOSE_SESSIONS, -1, 0.0, p->sessions_per_day, 1.0, left.sessions_until_s);
		if (planned.heat_min > heat_session + DOSE_EPS_MIN)
			return refuse(v, DOSE_HEAT_SESSION, z, heat_session, heat_session, planned.heat_min, NAN);
		if (planned.heat_min > left.heat_min + DOSE_EPS_MIN)
			return refuse(v, DOSE_HEAT_DAY, z, left.heat_min, heat_day, planned.heat_min,
				      left.heat_until_s);
		if (planned.cold_min > cold_session + DOSE_EPS_MIN)
			return refuse(v, DOSE_COLD_SESSION, z, cold_session, cold_session, planned.cold_min, NAN);
		if (planned.cold_min > left.cold_min + DOSE_EPS_MIN)
			return refuse(v, DOSE_COLD_DAY, z, left.cold_min, cold_day, planned.cold_min,
				      left.cold_until_s);
		allowance[z].heat_min = fmin(heat_session, left.heat_min);
		allowance[z].cold_min = fmin(cold_session, left.cold_min);
	}
	return 0;
}

int dose_ledger_open(struct dose_ledger *l, double now_s, double latest_end_s, const char *const names[],
		     int n_zones, struct dose_amount planned)
{
	dose_ledger_prune(l, now_s);
	if (l->n >= DOSE_LEDGER_MAX)
		return -1;
	struct dose_entry *e = &l->e[l->n];

	memset(e, 0, sizeof(*e));
	e->t_s = latest_end_s;
	e->open = true;
	e->n_zones = n_zones < 0 ? 0 : n_zones > MAX_ZONES ? MAX_ZONES : n_zones;
	for (int z = 0; z < e->n_zones; z++) {
		strncpy(e->zone[z], names[z], NAME_LEN - 1);
		e->dose[z] = planned;
	}
	return l->n++;
}

bool dose_ledger_raise(struct dose_ledger *l, int i, const struct dose_amount used[])
{
	bool raised = false;

	if (i < 0 || i >= l->n)
		return false;
	for (int z = 0; z < l->e[i].n_zones; z++) {
		struct dose_amount *d = &l->e[i].dose[z];

		if (used[z].heat_min > d->heat_min) {
			d->heat_min = used[z].heat_min;
			raised = true;
		}
		if (used[z].cold_min > d->cold_min) {
			d->cold_min = used[z].cold_min;
			raised = true;
		}
	}
	return raised;
}

void dose_ledger_close(struct dose_ledger *l, int i, double now_s, const struct dose_amount used[])
{
	if (i < 0 || i >= l->n)
		return;
	struct dose_entry *e = &l->e[i];

	e->open = false;
	e->t_s = now_s;
	for (int z = 0; z < e->n_zones; z++)
		e->dose[z] = used[z];
}
