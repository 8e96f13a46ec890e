/* SPDX-License-Identifier: MIT */
/*
 * Pad sensor calibration against a reference thermometer (the pad in a
 * water bath, say: docs/calibration.md). Each point pairs the sensor's
 * reading (by the config's thermistor, uncorrected) with the reference;
 * two points at least CAL_MIN_SPAN_C apart give a gain and an offset,
 *
 *   corrected = gain * reading + offset,
 *
 * applied where a sample becomes a reading (the controller). A fit whose
 * gain is outside [CAL_GAIN_MIN, CAL_GAIN_MAX], or whose correction is
 * beyond CAL_MAX_CORRECTION_C anywhere from HARD_MIN_PAD_C to
 * HARD_MAX_PAD_C or at either point, is refused: that sensor is not the
 * thermistor the config describes, and no correction makes it safe.
 *
 * The shell keeps it in state_dir (src/daemon/state.c). Pure: no I/O.
 */
#ifndef CONTRASTD_CALIBRATION_H
#define CONTRASTD_CALIBRATION_H

#include <stdbool.h>
#include "limits.h"

/* What the refusal says: the words, an interface. */
#define CAL_NOT_THIS_THERMISTOR "this is not the thermistor the config describes"

struct cal_point {
	double reading_c;               /* the sensor, uncorrected */
	double reference_c;             /* the reference thermometer */
};

/* One pad sensor's calibration. All zero: not calibrated (the identity). */
struct cal_sensor {
	bool calibrated;
	double gain, offset;            /* corrected = gain * reading + offset */
	struct cal_point from[2];       /* the points it was made from */
	bool pending;                   /* a first point waits for its second */
	struct cal_point point;         /* ... this one */
};

enum cal_outcome {
	CAL_FIRST_POINT,                /* recorded; a second point is needed */
	CAL_TOO_CLOSE,                  /* less than CAL_MIN_SPAN_C from the waiting point: it replaces it */
	CAL_DONE,                       /* the two points made a calibration, in force now */
	CAL_REFUSED,                    /* CAL_NOT_THIS_THERMISTOR: nothing changed, both points dropped */
};

/* The fit of two points, and the largest correction it makes (see above). */
struct cal_fit {
	double gain, offset;
	double worst_correction_c;      /* largest |corrected - reading|, signed */
};

/* Fit a and b. Returns 0, or -1 when they are less than CAL_MIN_SPAN_C apart (by reference) or make no line. */
int cal_fit_points(const struct cal_point *a, const struct cal_point *b, struct cal_fit *fit);

/* Is the fit inside the gain and correction limits? */
bool cal_fit_acceptable(const struct cal_fit *fit);

/* A point was taken: what it makes of s (fit is filled for CAL_DONE and CAL_REFUSED). */
enum cal_outcome cal_add_point(struct cal_sensor *s, const struct cal_point *p, struct cal_fit *fit);

/* The corrected temperature (reading_c unchanged when not calibrated). */
double cal_apply(const struct cal_sensor *s, double reading_c);

#endif
