/* SPDX-License-Identifier: MIT */
/* A Kalman filter over the pad, its sensor and the Peltier's gains. See pad_observer.h. */
#include <math.h>
#include <string.h>
#include "pad_observer.h"

/* Starting uncertainty: the pad could be anywhere near the reading; the drift near 0. */
#define P0_TEMP_C       0.3
#define P0_SENSOR_C     PAD_OBSERVER_READING_NOISE_C
#define P0_DRIFT        0.02
#define P0_GAIN_FRAC    0.15    /* of the reference gain */

static const double ref_gain[OBS_N] = {
	[OBS_BH] = PAD_OBSERVER_HEAT_GAIN_C_PER_S,
	[OBS_BC] = PAD_OBSERVER_COOL_GAIN_C_PER_S,
};

void pad_observer_reset(struct pad_observer *o)
{
	memset(o, 0, sizeof(*o));
}

void pad_observer_start(struct pad_observer *o, double reading_c, bool keep_gains)
{
	double bh = ref_gain[OBS_BH], bc = ref_gain[OBS_BC];
	double pbh = P0_GAIN_FRAC * bh * P0_GAIN_FRAC * bh, pbc = P0_GAIN_FRAC * bc * P0_GAIN_FRAC * bc;

	if (keep_gains && o->primed) {
		bh = o->x[OBS_BH];
		bc = o->x[OBS_BC];
		pbh = o->p[OBS_BH][OBS_BH];
		pbc = o->p[OBS_BC][OBS_BC];
	}
	memset(o, 0, sizeof(*o));
	o->sink_c = NAN;
	o->x[OBS_T] = reading_c;
	o->x[OBS_S] = reading_c;
	o->x[OBS_BH] = bh;
	o->x[OBS_BC] = bc;
	o->p[OBS_T][OBS_T] = P0_TEMP_C * P0_TEMP_C;
	o->p[OBS_S][OBS_S] = P0_SENSOR_C * P0_SENSOR_C;
	o->p[OBS_D][OBS_D] = P0_DRIFT * P0_DRIFT;
	o->p[OBS_BH][OBS_BH] = pbh;
	o->p[OBS_BC][OBS_BC] = pbc;
	o->primed = true;
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static double sink_or(const struct pad_observer *o, double temp_c)
{
	return isfinite(o->sink_c) ? o->sink_c : temp_c;
}

void pad_observer_step(struct pad_observer *o, double duty, double dt_s, double lag_s, double reading_c,
		       double sink_c)
{
	double f[OBS_N][OBS_N], fp[OBS_N][OBS_N], x[OBS_N];
	double up = duty > 0.0 ? duty : 0.0, un = duty < 0.0 ? duty : 0.0;

	if (!o->primed || !(dt_s > 0.0) || !isfinite(dt_s) || !isfinite(duty))
		return;
	if (!(lag_s > 1e-3))
		lag_s = 1e-3;
	if (isfinite(sink_c))
		o->sink_c = sink_c;
	/*
	 * Over the step the rate r = w + bh u+ + bc u- is taken as constant
	 * (w moves by a hundredth of a percent in a tick), so
	 *   T' = T + dt r
	 *   S' = e S + (1 - e) T + c r,  e = exp(-dt/lag), c = dt - lag (1 - e)
	 * (the exact answer of dS/dt = (T - S) / lag for T rising linearly),
	 * with r = d - lambda T + (body and sink terms) + the Peltier.
	 */
	double e = exp(-dt_s / lag_s), c = dt_s - lag_s * (1.0 - e);
	double lambda = PAD_OBSERVER_BODY_RATE + PAD_OBSERVER_SINK_RATE;
	double rate = pad_observer_rate_c_per_s(o, duty);

	memset(f, 0, sizeof(f));
	f[OBS_T][OBS_T] = 1.0 - dt_s * lambda;
	f[OBS_T][OBS_D] = dt_s;
	f[OBS_T][OBS_BH] = dt_s * up;
	f[OBS_T][OBS_BC] = dt_s * un;
	f[OBS_S][OBS_T] = 1.0 - e - c * lambda;
	f[OBS_S][OBS_S] = e;
	f[OBS_S][OBS_D] = c;
	f[OBS_S][OBS_BH] = c * up;
	f[OBS_S][OBS_BC] = c * un;
	f[OBS_D][OBS_D] = 1.0;
	f[OBS_BH][OBS_BH] = 1.0;
	f[OBS_BC][OBS_BC] = 1.0;

	memcpy(x, o->x, sizeof(x));
	x[OBS_T] = o->x[OBS_T] + dt_s * rate;
	x[OBS_S] = e * o->x[OBS_S] + (1.0 - e) * o->x[OBS_T] + c * rate;

	/*
	 * P = F P F' + Q. Only the rows (and columns) of T and S differ from
	 * the identity in F: everything else is copied, not multiplied.
	 */
	memcpy(fp, o->p, sizeof(fp));
	for (int i = OBS_T; i <= OBS_S; i++)
		for (int j = 0; j < OBS_N; j++) {
			double sum = 0.0;

			for (int k = 0; k < OBS_N; k++)
				sum += f[i][k] * o->p[k][j];
			fp[i][j] = sum;
		}
	for (int i = 0; i < OBS_N; i++) {
		for (int j = OBS_T; j <= OBS_S; j++) {
			double sum = 0.0;

			for (int k = 0; k < OBS_N; k++)
				sum += fp[i][k] * f[j][k];
			o->p[i][j] = sum;
		}
		for (int j = OBS_S + 1; j < OBS_N; j++)
			o->p[i][j] = fp[i][j];
	}
	o->p[OBS_T][OBS_T] += PAD_OBSERVER_TEMP_NOISE_C * PAD_OBSERVER_TEMP_NOISE_C * dt_s;
	o->p[OBS_D][OBS_D] += PAD_OBSERVER_DRIFT_NOISE * PAD_OBSERVER_DRIFT_NOISE * dt_s;
	/* A gain is only seen while its polarity drives: only then can it have moved. */
	if (up > 0.0)
		o->p[OBS_BH][OBS_BH] += PAD_OBSERVER_GAIN_NOISE * PAD_OBSERVER_GAIN_NOISE * dt_s;
	if (un < 0.0)
		o->p[OBS_BC][OBS_BC] += PAD_OBSERVER_GAIN_NOISE * PAD_OBSERVER_GAIN_NOISE * dt_s;
	memcpy(o->x, x, sizeof(x));

	if (isfinite(reading_c)) {
		double r = PAD_OBSERVER_READING_NOISE_C * PAD_OBSERVER_READING_NOISE_C;
		double s = o->p[OBS_S][OBS_S] + r;
		double k[OBS_N], ps[OBS_N];

		o->innovation_c = reading_c - o->x[OBS_S];
		for (int i = 0; i < OBS_N; i++) {
			ps[i] = o->p[OBS_S][i];
			k[i] = o->p[i][OBS_S] / s;
		}
		for (int i = 0; i < OBS_N; i++) {
			o->x[i] += k[i] * o->innovation_c;
			for (int j = 0; j < OBS_N; j++)
				o->p[i][j] -= k[i] * ps[j];
		}
	}
	/* Keep P symmetric against rounding, and the gains physical. */
	for (int i = 0; i < OBS_N; i++)
		for (int j = i + 1; j < OBS_N; j++)
			o->p[i][j] = o->p[j][i] = 0.5 * (o->p[i][j] + o->p[j][i]);
	o->x[OBS_BH] = clamp(o->x[OBS_BH], PAD_OBSERVER_GAIN_MIN * ref_gain[OBS_BH], PAD_OBSERVER_GAIN_MAX * ref_gain[OBS_BH]);
	o->x[OBS_BC] = clamp(o->x[OBS_BC], PAD_OBSERVER_GAIN_MIN * ref_gain[OBS_BC], PAD_OBSERVER_GAIN_MAX * ref_gain[OBS_BC]);
	o->x[OBS_D] = clamp(o->x[OBS_D], -PAD_OBSERVER_D_MAX, PAD_OBSERVER_D_MAX);
}

double pad_observer_temp_c(const struct pad_observer *o)
{
	return o->primed ? o->x[OBS_T] : NAN;
}

double pad_observer_drift_c_per_s(const struct pad_observer *o, double temp_c)
{
	if (!o->primed)
		return NAN;
	if (!isfinite(temp_c))
		temp_c = o->x[OBS_T];
	return o->x[OBS_D] + PAD_OBSERVER_BODY_RATE * (PAD_OBSERVER_BODY_C - temp_c) +
	       PAD_OBSERVER_SINK_RATE * (sink_or(o, temp_c) - temp_c);
}

double pad_observer_gain(const struct pad_observer *o, int polarity)
{
	if (!o->primed)
		return polarity >= 0 ? ref_gain[OBS_BH] : ref_gain[OBS_BC];
	return polarity >= 0 ? o->x[OBS_BH] : o->x[OBS_BC];
}

double pad_observer_rate_c_per_s(const struct pad_observer *o, double duty)
{
	if (!o->primed)
		return NAN;
	return pad_observer_drift_c_per_s(o, NAN) + (duty > 0.0 ? o->x[OBS_BH] : o->x[OBS_BC]) * duty;
}
