/* SPDX-License-Identifier: MIT */
/*
 * The real hardware: the hw_ops table over libiio sensors
 * (iio_sensors.h), libgpiod lines (gpio_lines.h), one H-bridge state
 * machine per zone (core/bridge.h) and the button's (core/button.h).
 *
 *  - read: every sensor once per tick, never blocking the loop: a thread
 *    reads (iio_reader.h) and the loop decides. Each tick's pass is asked
 *    for by the PWM timer a lead before the tick (twice the pass's time,
 *    as the data rates say or a recent pass took, and a margin; at most
 *    HW_REAL_READ_BUDGET of the period), so a tick acts on readings taken
 *    just before it. A pass that is not complete by the tick (or, the
 *    loop having been late, older than HW_REAL_SAMPLE_MAX_AGE_PERIODS
 *    control periods) is a failed read (ok = false) for every sensor,
 *    and is dropped when it completes: never an old value used as new,
 *    and no pass used twice.
 *  - Start refuses a control_hz whose period a pass over every sensor
 *    does not fit in (HW_REAL_READ_BUDGET of it, at the data rates the
 *    channels' sampling_frequency says; iio_sensors_pass_s).
 *  - apply: the power line first, then per zone the duty into its bridge
 *    and the lines the bridge wants now (deactivations before
 *    activations), then the fan. Lines are written only when they change.
 *    The first failed write returns -1 with the zone (-1: the power
 *    line). If the power is off, every bridge gets duty 0.
 *  - power_mode = charge-pump: the power line carries the charge pump's
 *    wave (core/charge_pump.h): apply tells the pump the tick's power
 *    and readings and writes the level of now; its edges come from the
 *    PWM timer below, so the wave runs exactly as long as the loop does.
 *    all_off and the stale-command watchdog stop it, inactive.
 *  - PWM edges between ticks: a CLOCK_MONOTONIC timerfd in the loop,
 *    re-armed at the earliest bridge edge (and button deadline). A write
 *    that fails there drives everything inactive at once and is reported
 *    by the next apply (-1 with that zone), so the supervisor trips.
 *  - If apply stops coming while a bridge drives (HW_REAL_STALE_COMMAND_S,
 *    or three control periods if longer), the timer sets every duty to 0
 *    and the power line off: nothing stays on because a command never
 *    came. The next apply drives again.
 *  - all_off: every bridge to duty 0 and every output line written
 *    inactive, the power line first; tries every line past failures.
 *  - The button: its line-event fd in the loop, edges into the debounce
 *    machine, presses to the daemon through hw_events.
 *
 * Time: read and apply ignore their now_s (the controller's clock) and
 * use the hardware clock, CLOCK_MONOTONIC, which the kernel also stamps
 * button edges with (Linux >= 5.7; an edge stamped more than 5 s away
 * from it, as older kernels' CLOCK_REALTIME would be, is dated "now").
 */
#ifndef CONTRASTD_HW_REAL_H
#define CONTRASTD_HW_REAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "core/config.h"
#include "hw.h"

#define HW_REAL_STALE_COMMAND_S 2.0
/* A pass over every sensor must fit in this fraction of a control period: the rest is for jitter. */
#define HW_REAL_READ_BUDGET 0.8
/* A tick's pass is asked for FACTOR times its expected time, plus MARGIN, before the tick. */
#define HW_REAL_READ_LEAD_FACTOR 2.0
#define HW_REAL_READ_LEAD_MARGIN_S 0.003
/* A pass older than this many control periods at the tick that would use it is not used. */
#define HW_REAL_SAMPLE_MAX_AGE_PERIODS 1.5
/* attach waits this long at most for the first pass, so the first tick has samples. */
#define HW_REAL_FIRST_PASS_WAIT_S 2.0

/*
 * Open every configured line and sensor: outputs first (each requested
 * at its inactive value, the power line before the bridges), then the
 * button, then the IIO context and its channels. Returns 0 with *out
 * filled, or -1 with one line in err naming what failed, and nothing
 * left open. cfg is copied from; it need not outlive the hardware.
 */
int hw_real_open(const struct config *cfg, struct hw *out, char *err, size_t err_len);

/*
 * --safe-off: request every configured output line (the power line
 * first, then each zone's enable, heat, cool and fan) at its inactive
 * value, write it inactive, release it. Needs only the config; goes on
 * past a failure (logged) and returns -1 if any line failed, else 0.
 */
int hw_real_safe_off(const struct config *cfg);

/*
 * The same for a list of lines (output_lines.h): the config's, merged with
 * the record of the lines the daemon last claimed. Returns -1 if any line
 * could not be driven inactive (each logged by name), else 0.
 */
struct output_lines;
int hw_real_safe_off_lines(const struct output_lines *lines);

/*
 * --probe: open every configured channel and line without energising
 * anything (outputs are only inspected, never requested; the button is
 * read as an input) and print one line each to out:
 *   left pad: ads1015/voltage0 = 1654.2 mV -> 10.05 kOhm -> 25.12 C
 *   left heat: GPIO17 (gpiochip0:17) "GPIO17": input, free
 * Goes on past every problem, each on its own line saying what was
 * expected and what the context or chip has; ends with a summary line.
 * Returns 0 when all is well, 2 otherwise.
 */
int hw_real_probe(const struct config *cfg, FILE *out);

/* Tests: replace the hardware clock (default monotonic_s()). */
void hw_real_set_clock(struct hw *hw, double (*clock_s)(void));

/*
 * Tests: wait until the pass asked for is complete (at most timeout_s).
 * Returns true when the reader is idle. Never from the loop.
 */
bool hw_real_wait_reads(struct hw *hw, double timeout_s);

#endif
