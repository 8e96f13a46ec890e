/* SPDX-License-Identifier: MIT */
/* Lockout after repeated faults. See lockout.h and docs/safety.md. */
#include <stdio.h>
#include <string.h>
#include "lockout.h"

void lockout_init(struct lockout *lo)
{
	memset(lo, 0, sizeof(*lo));
}

static bool same(const struct lockout_event *e, enum fault_kind kind, const char *zone)
{
	return e->kind == kind && strcmp(e->zone, zone) == 0;
}

int lockout_count(const struct lockout *lo, enum fault_kind kind, const char *zone, double now_s)
{
	int n = 0;

	for (int i = 0; i < lo->n; i++)
		if (lo->ev[i].t_s + DOSE_DAY_S > now_s && same(&lo->ev[i], kind, zone))
			n++;
	return n;
}

bool lockout_record(struct lockout *lo, int lockout_after, enum fault_kind kind, const char *zone,
		    double now_s)
{
	int after = lockout_after < 1 ? 1 : lockout_after > HARD_MAX_LOCKOUT_AFTER ? HARD_MAX_LOCKOUT_AFTER
										 : lockout_after;
	struct lockout_event ev = { .t_s = now_s, .kind = kind };
	int kept = 0;
	bool was = lo->locked;

	snprintf(ev.zone, sizeof(ev.zone), "%s", zone ? zone : "");
	for (int i = 0; i < lo->n; i++)
		if (lo->ev[i].t_s + DOSE_DAY_S > now_s)
			lo->ev[kept++] = lo->ev[i];
	lo->n = kept;
	if (lo->n >= LOCKOUT_HISTORY_MAX) {
		/* More faults in a day than the history holds: that alone is reason to stop. */
		lo->locked = true;
		lo->full = true;
		lo->cause = ev;
		lo->count = lo->n + 1;
		return !was;
	}
	lo->ev[lo->n++] = ev;
	int count = lockout_count(lo, kind, ev.zone, now_s);

	if (!lo->locked && count >= after) {
		lo->locked = true;
		lo->cause = ev;
		lo->count = count;
	}
	return lo->locked && !was;
}

bool lockout_locked(const struct lockout *lo)
{
	return lo->locked || lo->unreadable;
}

void lockout_clear(struct lockout *lo, double now_s, const char *who)
{
	memset(lo, 0, sizeof(*lo));
	lo->cleared_s = now_s;
	snprintf(lo->cleared_by, sizeof(lo->cleared_by), "%s", who ? who : "");
}
