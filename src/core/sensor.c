/* SPDX-License-Identifier: MIT */
/* From a raw sample to a reading. See sensor.h. */
#include <math.h>
#include "limits.h"
#include "sensor.h"

const char *reading_status_name(enum reading_status st)
{
	switch (st) {
	case READING_OK:
		return "ok";
	case READING_FAILED:
		return "failed";
	case READING_OPEN:
		return "open";
	case READING_SHORT:
		return "short";
	}
	return "unknown";
}

/*
 * A divider voltage at a rail: the NTC is infinite (open) or zero (short).
 * Which rail is which depends on the side the NTC sits on.
 */
static enum reading_status rail_status(const struct thermistor_params *p, bool at_supply)
{
	bool open = (p->ntc_to == NTC_TO_GROUND) == at_supply;

	return open ? READING_OPEN : READING_SHORT;
}

static void interpret_mv(const struct thermistor_params *p, double mv, struct reading *out)
{
	double ohm;

	if (!isfinite(mv)) {
		out->status = READING_FAILED;
		return;
	}
	/* Beyond a rail counts as at it: the ADC's offset can read a little past. */
	if (mv <= SENSOR_RAIL_MARGIN_MV) {
		out->status = rail_status(p, false);
		return;
	}
	if (mv >= p->supply_mv - SENSOR_RAIL_MARGIN_MV) {
		out->status = rail_status(p, true);
		return;
	}
	/* Cannot fail past the margins above; if it does the config is nonsense. */
	if (thermistor_mv_to_ohm(p, mv, &ohm) < 0) {
		out->status = READING_FAILED;
		return;
	}
	out->ohm = ohm;
	/* An NTC's resistance falls as it warms: too high is colder than any pad, i.e. open. */
	if (ohm > thermistor_c_to_ohm(p, NTC_PLAUSIBLE_MIN_C))
		out->status = READING_OPEN;
	else if (ohm < thermistor_c_to_ohm(p, NTC_PLAUSIBLE_MAX_C))
		out->status = READING_SHORT;
	else {
		out->status = READING_OK;
		out->temp_c = thermistor_ohm_to_c(p, ohm);
	}
}

/*
 * A temperature channel has no resistance to look at. Following sensor.h,
 * above the plausible range is OPEN and below it is SHORT: the name says
 * which end the value left by, as "high resistance is OPEN" does for the
 * divider. That is a convention, not physics: a driver that converts an
 * NTC itself reports an open wire as very cold, which lands here as SHORT.
 * The supervisor trips on both alike; only the message differs.
 */
static void interpret_c(double temp_c, struct reading *out)
{
	if (!isfinite(temp_c))
		out->status = READING_FAILED;
	else if (temp_c > NTC_PLAUSIBLE_MAX_C)
		out->status = READING_OPEN;
	else if (temp_c < NTC_PLAUSIBLE_MIN_C)
		out->status = READING_SHORT;
	else {
		out->status = READING_OK;
		out->temp_c = temp_c;
	}
}

void sensor_interpret(const struct thermistor_params *p,
		      const struct sensor_sample *s, struct reading *out)
{
	/* NaN where a field is not valid, so a stray use shows up rather than reads 0 C. */
	out->status = READING_FAILED;
	out->temp_c = NAN;
	out->ohm = NAN;
	out->value = s->value;
	out->raw = s->raw;

	if (!s->ok)
		return;
	switch (s->unit) {
	case SAMPLE_MV:
		interpret_mv(p, s->value, out);
		break;
	case SAMPLE_C:
		interpret_c(s->value, out);
		break;
	}
}
