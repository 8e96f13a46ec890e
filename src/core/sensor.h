/* SPDX-License-Identifier: MIT */
/*
 * From a raw sample, as the shell read it, to a reading the core can trust
 * or must reject. No I/O: the shell fills struct sensor_sample.
 */
#ifndef CONTRASTD_SENSOR_H
#define CONTRASTD_SENSOR_H

#include <stdbool.h>
#include <stdint.h>
#include "thermistor.h"

/* Within this of a rail the divider says the wire is open or shorted. */
#define SENSOR_RAIL_MARGIN_MV 5.0

enum sample_unit {
	SAMPLE_MV,      /* divider voltage, millivolts: goes through the thermistor maths */
	SAMPLE_C,       /* a temperature channel, degrees C, used as is */
};

/* What the shell read for one sensor in one tick. */
struct sensor_sample {
	bool ok;                /* false: the read failed (errno in the log, not here) */
	enum sample_unit unit;
	int64_t raw;            /* the ADC's raw value, for stuck-sensor detection */
	double value;           /* millivolts or degrees C, per unit */
};

enum reading_status {
	READING_OK,
	READING_FAILED,         /* the read itself failed */
	READING_OPEN,           /* NTC open: infinite resistance (or temp channel above range) */
	READING_SHORT,          /* NTC shorted: zero resistance (or temp channel below range) */
};

struct reading {
	enum reading_status status;
	double temp_c;          /* valid only when status == READING_OK */
	double ohm;             /* NTC resistance, when the sample was a voltage and not at a rail */
	double value;           /* the sample's value (mV or C), for the log */
	int64_t raw;            /* the sample's raw value */
};

/*
 * Interpret one sample. A voltage within SENSOR_RAIL_MARGIN_MV of a rail,
 * or a resistance (or temperature) outside what the NTC can have between
 * NTC_PLAUSIBLE_MIN_C and NTC_PLAUSIBLE_MAX_C, is OPEN or SHORT by which end
 * it is at: high resistance is OPEN, low is SHORT, whatever the wiring.
 */
void sensor_interpret(const struct thermistor_params *p,
		      const struct sensor_sample *s, struct reading *out);

const char *reading_status_name(enum reading_status st);

#endif
