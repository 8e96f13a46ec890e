/* SPDX-License-Identifier: MIT */
/* NTC thermistor maths. See thermistor.h for the divider and the equations. */
#include <math.h>
#include "thermistor.h"

#define T25_K (25.0 + KELVIN_OFFSET)

int thermistor_mv_to_ohm(const struct thermistor_params *p, double mv, double *ohm)
{
	/* Written so that NaN also fails: no comparison with NaN is true. */
	if (!(mv > 0.0 && mv < p->supply_mv))
		return -1;
	if (p->ntc_to == NTC_TO_GROUND)
		*ohm = p->series_ohm * mv / (p->supply_mv - mv);
	else
		*ohm = p->series_ohm * (p->supply_mv - mv) / mv;
	return 0;
}

double thermistor_ohm_to_mv(const struct thermistor_params *p, double ohm)
{
	bool ground = p->ntc_to == NTC_TO_GROUND;

	/* An open NTC sits on its rail; inf/inf would give NaN. */
	if (isinf(ohm) && ohm > 0.0)
		return ground ? p->supply_mv : 0.0;
	if (ground)
		return p->supply_mv * ohm / (p->series_ohm + ohm);
	return p->supply_mv * p->series_ohm / (p->series_ohm + ohm);
}

double thermistor_ohm_to_c(const struct thermistor_params *p, double ohm)
{
	double ln_r = log(ohm);
	double inv_t;

	if (p->has_sh)
		inv_t = p->sh_a + p->sh_b * ln_r + p->sh_c * ln_r * ln_r * ln_r;
	else
		inv_t = 1.0 / T25_K + (ln_r - log(p->r25_ohm)) / p->beta;
	return 1.0 / inv_t - KELVIN_OFFSET;
}

/*
 * Steinhart-Hart inverted: c x^3 + b x + (a - 1/T) = 0 with x = ln R.
 * For a real NTC b and c are positive, so the cubic is monotonic and has
 * one real root: Cardano gives it in closed form, and Newton then removes
 * the rounding the cube roots leave (one step usually; the cap is for
 * coefficients no NTC has).
 */
static double sh_ln_ohm(const struct thermistor_params *p, double inv_t)
{
	double a = p->sh_a, b = p->sh_b, c = p->sh_c;
	double pp, q, disc, x;

	if (c == 0.0)
		return (inv_t - a) / b;
	/* Depressed cubic x^3 + pp x + q = 0. */
	pp = b / c;
	q = (a - inv_t) / c;
	disc = q * q / 4.0 + pp * pp * pp / 27.0;
	if (disc >= 0.0)
		x = cbrt(-q / 2.0 + sqrt(disc)) + cbrt(-q / 2.0 - sqrt(disc));
	else
		x = b != 0.0 ? (inv_t - a) / b : 0.0;

	for (int i = 0; i < 20; i++) {
		double f = a + b * x + c * x * x * x - inv_t;
		double df = b + 3.0 * c * x * x;
		double step;

		/* A flat spot would divide by 0; keep what we have. */
		if (df == 0.0)
			break;
		step = f / df;
		x -= step;
		if (fabs(step) <= 1e-15 * fabs(x))
			break;
	}
	return x;
}

double thermistor_c_to_ohm(const struct thermistor_params *p, double temp_c)
{
	double inv_t = 1.0 / (temp_c + KELVIN_OFFSET);

	if (p->has_sh)
		return exp(sh_ln_ohm(p, inv_t));
	return p->r25_ohm * exp(p->beta * (inv_t - 1.0 / T25_K));
}
