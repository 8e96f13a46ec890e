/* SPDX-License-Identifier: MIT */
/*
 * The JSON the control socket answers `status` and `programs` with, one
 * line each, no newline. Read-only over the controller and the config:
 * building it changes nothing. The fields are an interface (contrastctl
 * and scripts read them): docs/control.md lists each one.
 *
 * Units are in the names: _c degrees Celsius, _s seconds. A value that
 * does not exist now (no session, no second pad sensor, a failed read,
 * no fan line) is null, never a made-up number.
 */
#ifndef CONTRASTD_STATUS_JSON_H
#define CONTRASTD_STATUS_JSON_H

#include <stddef.h>
#include "core/config.h"
#include <time.h>
#include "core/controller.h"
#include "lib/json_out.h"

/*
 * The status at controller time now_s (the time of the last tick):
 * {"state":"running","program":"default","session_s":..,"phase":"warm",
 *  "phase_index":2,"phases":9,"cycle":2,"cycles":4,"setpoint_c":38.00,
 *  "phase_clock":"settled","phase_settled":true,"phase_left_s":..,
 *  "session_left_s":..,"planned_s":..,"power":true,
 *  "fault":null|{"kind":..,"zone":..,"at_s":..,"sensor":..,"detail":..,
 *           "value":..,"limit":..,"description":..,"ack_possible":..,"clear_s":..},
 *  "zones":[{"name":"left","setpoint_c":..,"pad_c":..,"pad_status":"ok",
 *            "pad2_c":..,"pad2_status":..,"heatsink_c":..,
 *            "heatsink_status":"ok","duty":0.420,"fan":true|null}]}
 * Returns the length written, or -1 when len is too small (buf is then
 * not valid JSON).
 */
int status_json_build(const struct controller *c, double now_s, char *buf, size_t len);

/* The outcome of the last configuration reload (SIGHUP, systemctl reload). */
enum reload_result {
	RELOAD_NONE,            /* none since the start */
	RELOAD_APPLIED,         /* the new configuration is in force */
	RELOAD_PENDING,         /* valid; in force when the running session ends */
	RELOAD_FAILED,          /* refused; the configuration in force is unchanged */
};

struct reload_outcome {
	enum reload_result result;
	time_t at;              /* wall clock of the reload (or of its taking force) */
	char message[512];      /* FAILED: "FILE:LINE: what is wrong"; otherwise "" */
};

/* "applied", "pending", "failed"; NULL for RELOAD_NONE. */
const char *reload_result_name(enum reload_result r);

/*
 * The status as status_json_build writes it, with one member more at the
 * end: "reload":null before any reload, else
 *   {"result":"applied"|"pending"|"failed","at":"2026-11-25T23:15:00Z",
 *    "message":"FILE:LINE: ..."|null}
 * reload may be NULL (the same as none).
 */
int status_json_build_with_reload(const struct controller *c, double now_s,
				  const struct reload_outcome *reload, char *buf, size_t len);

/*
 * More keys from the shell (the dose budgets, the lockout, the
 * calibration: daemon/guard.h): top() writes keys at the top level after
 * "fault", zone() at the end of each zone's object.
 */
struct status_extra {
	void (*top)(void *arg, struct json_out *j);
	void (*zone)(void *arg, int z, struct json_out *j);
	void *arg;
	bool lockout;           /* the device is locked out: the "led" member says fast-blink */
};

/* status_json_build_with_reload with x's keys too (reload and x may be NULL). */
int status_json_build_extra(const struct controller *c, double now_s, const struct reload_outcome *reload,
			    const struct status_extra *x, char *buf, size_t len);

/*
 * Every program of the config, in config order:
 * [{"name":"default","default":true,"warm_c":38.00,"cool_c":18.00,
 *   "warm_s":180.0,"cool_s":60.0,"cycles":4,"first":"warm","last":"cool",
 *   "phase_clock":"settled","band_c":0.50,"settle_max_s":300.0,
 *   "phases":8,"planned_s":..}, ...]
 * Returns the length written, or -1 when len is too small.
 */
int programs_json_build(const struct config *cfg, char *buf, size_t len);

/*
 * Program `index` of the config alone, as a one-element array of the
 * same object with "timeline" added: a member per phase,
 *   {"phase":1,"kind":"warm","cycle":1,"setpoint_c":39.00,"length_s":240.0,
 *    "nominal_end_s":240.0,"worst_end_s":540.0}
 * (ends in seconds from the session's start, nominal: the pads settle at
 * once; worst: every settled wait runs to settle_max_s). Returns the
 * length written, or -1 when len is too small.
 */
int program_json_build_one(const struct config *cfg, int index, char *buf, size_t len);

/*
 * Seconds left in the running session: what is left of this phase plus
 * the lengths of the phases after it. With the settled clock the waits
 * for the band (up to settle_max_s a phase) come on top: it is then a
 * lower bound. 0 when no session runs.
 */
double status_session_left_s(const struct controller *c, double now_s);

#endif
