/* SPDX-License-Identifier: MIT */
/* Pad sensor calibration. See calibration.h and docs/calibration.md. */
#include <math.h>
#include <string.h>
#include "calibration.h"

/* The reference span is compared with this slack (10.0 typed as 10 is 10). */
#define SPAN_EPS_C 1e-9

int cal_fit_points(const struct cal_point *a, const struct cal_point *b, struct cal_fit *fit)
{
	double dref = b->reference_c - a->reference_c;
	double dread = b->reading_c - a->reading_c;

	if (!(fabs(dref) >= CAL_MIN_SPAN_C - SPAN_EPS_C) || !(fabs(dread) > 0.0) ||
	    !isfinite(dref) || !isfinite(dread))
		return -1;
	fit->gain = dref / dread;
	fit->offset = a->reference_c - fit->gain * a->reading_c;

	/* Linear: the largest correction is at an end of the range or at a point. */
	const double at[4] = { HARD_MIN_PAD_C, HARD_MAX_PAD_C, a->reading_c, b->reading_c };

	fit->worst_correction_c = 0.0;
	for (int i = 0; i < 4; i++) {
		double corr = (fit->gain - 1.0) * at[i] + fit->offset;

		if (fabs(corr) > fabs(fit->worst_correction_c))
			fit->worst_correction_c = corr;
	}
	return 0;
}

bool cal_fit_acceptable(const struct cal_fit *fit)
{
	return fit->gain >= CAL_GAIN_MIN && fit->gain <= CAL_GAIN_MAX &&
	       fabs(fit->worst_correction_c) <= CAL_MAX_CORRECTION_C;
}

enum cal_outcome cal_add_point(struct cal_sensor *s, const struct cal_point *p, struct cal_fit *fit)
{
	memset(fit, 0, sizeof(*fit));
	if (!s->pending) {
		s->pending = true;
		s->point = *p;
		return CAL_FIRST_POINT;
	}
	if (!(fabs(p->reference_c - s->point.reference_c) >= CAL_MIN_SPAN_C - SPAN_EPS_C)) {
		s->point = *p;
		return CAL_TOO_CLOSE;
	}
	/* A sensor whose reading did not move with the reference fits no line: refused too. */
	if (cal_fit_points(&s->point, p, fit) < 0 || !cal_fit_acceptable(fit)) {
		s->pending = false;
		return CAL_REFUSED;
	}
	s->calibrated = true;
	s->gain = fit->gain;
	s->offset = fit->offset;
	s->from[0] = s->point;
	s->from[1] = *p;
	s->pending = false;
	return CAL_DONE;
}

double cal_apply(const struct cal_sensor *s, double reading_c)
{
	if (!s->calibrated)
		return reading_c;
	return s->gain * reading_c + s->offset;
}
