/* SPDX-License-Identifier: MIT */
/*
 * Lengths of time as a person reads them, the same in contrastd's log and
 * report and in contrastctl: "38:42", "1:10:00", and a program's length
 * said one way everywhere:
 *   "about 20:00 (at most 1:10:00 if the pads are slow to settle)"
 * (just "20:00" when it cannot run longer: the wall phase clock).
 *
 * Pure: no I/O, no allocation.
 */
#ifndef CONTRASTD_DURATION_H
#define CONTRASTD_DURATION_H

#include <stddef.h>

/* "M:SS" below an hour, "H:MM:SS" from one; "--" for a negative or non-finite s. Returns buf. */
const char *duration_format(double s, char *buf, size_t len);

/*
 * A program's length from its nominal (the phases' lengths added up) and
 * its worst case (with every wait for the pads to settle). Returns buf.
 */
const char *duration_program_length(double nominal_s, double worst_s, char *buf, size_t len);

#endif
