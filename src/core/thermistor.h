/* SPDX-License-Identifier: MIT */
/*
 * NTC thermistor maths: divider voltage <-> NTC resistance <-> temperature.
 *
 * Pure functions, no state, no I/O. The divider is a series resistor and
 * the NTC between the supply and ground; ntc_to says which rail the NTC
 * sits on (the ADC reads the node between them).
 *
 *   NTC_TO_GROUND: supply - series_ohm - node - NTC - ground
 *                  mv = supply_mv * ntc / (series + ntc)
 *   NTC_TO_SUPPLY: supply - NTC - node - series_ohm - ground
 *                  mv = supply_mv * series / (series + ntc)
 *
 * Temperature from resistance by the Beta equation
 *   1/T = 1/T25 + ln(R/R25)/beta            (T in kelvin, T25 = 298.15 K)
 * or, when has_sh is set, by Steinhart-Hart
 *   1/T = a + b ln(R) + c ln(R)^3
 */
#ifndef CONTRASTD_THERMISTOR_H
#define CONTRASTD_THERMISTOR_H

#include <stdbool.h>

#define KELVIN_OFFSET 273.15

enum ntc_wiring {
	NTC_TO_GROUND,
	NTC_TO_SUPPLY,
};

struct thermistor_params {
	double beta;            /* Beta constant, kelvin (e.g. 3950) */
	double r25_ohm;         /* NTC resistance at 25 C */
	double series_ohm;      /* fixed divider resistor */
	double supply_mv;       /* divider supply, millivolts */
	enum ntc_wiring ntc_to; /* which rail the NTC sits on */
	bool has_sh;            /* use Steinhart-Hart instead of Beta */
	double sh_a, sh_b, sh_c;
};

/*
 * Divider voltage to NTC resistance. Returns 0 and sets *ohm, or -1 when
 * mv is at or beyond a rail (0 or supply_mv), where no finite positive
 * resistance explains it; *ohm is then left untouched.
 */
int thermistor_mv_to_ohm(const struct thermistor_params *p, double mv, double *ohm);

/* NTC resistance to divider voltage (inverse of the above), millivolts. */
double thermistor_ohm_to_mv(const struct thermistor_params *p, double ohm);

/* NTC resistance (> 0) to temperature in Celsius, by Beta or Steinhart-Hart. */
double thermistor_ohm_to_c(const struct thermistor_params *p, double ohm);

/* Temperature in Celsius to NTC resistance (inverse of the above). */
double thermistor_c_to_ohm(const struct thermistor_params *p, double temp_c);

#endif
