/* SPDX-License-Identifier: MIT */
/* Lengths of time for a person. See duration.h. */
#include <math.h>
#include <stdio.h>
#include "duration.h"

const char *duration_format(double s, char *buf, size_t len)
{
	if (!isfinite(s) || s < 0 || s > 1e9) {
		snprintf(buf, len, "--");
		return buf;
	}
	long t = lround(s);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
	return buf;
}

const char *duration_program_length(double nominal_s, double worst_s, char *buf, size_t len)
{
	char nominal[32], worst[32];

	duration_format(nominal_s, nominal, sizeof(nominal));
	if (!(worst_s > nominal_s + 0.5)) {
		snprintf(buf, len, "%s", nominal);
		return buf;
	}
	snprintf(buf, len, "about %s (at most %s if the pads are slow to settle)", nominal,
		 duration_format(worst_s, worst, sizeof(worst)));
	return buf;
}
