/* SPDX-License-Identifier: MIT */
/*
 * The simulated hardware: the hw_ops table over the simulated plant, in
 * virtual time, with fault injection. Faults of the device (sensors,
 * Peltier, fan) are the plant's; faults of the adapter (failed reads,
 * failed writes, a stalled loop) are injected here.
 *
 * The outputs reach the plant as the real hardware drives them: each
 * zone's duty goes through the core's H-bridge machine (core/bridge.h,
 * pwm_period_s and dead_time_ms from the config), and the plant sees the
 * bridge conduct or not, edge by edge, never the average duty. During an
 * injected loop stall no edge is serviced, as on the real hardware, whose
 * PWM timer belongs to the stalled loop: the lines stay as they were.
 *
 * The supply relay: with power_mode = level the plant has power while
 * the last tick said so. With power_mode = charge-pump the power line
 * carries the charge pump's wave (core/charge_pump.h), edge by edge like
 * the bridges (and, like them, frozen during a stall), and the relay is
 * the circuit of docs/wiring.md: closed for charge_pump_hold_s() after
 * each rising edge, open otherwise. So a stalled loop that leaves a pulse
 * on heats only until the hold-up runs out. Every edge of the power line
 * is kept (hw_sim_power_edge) for the tests to read the wave.
 */
#ifndef CONTRASTD_HW_SIM_H
#define CONTRASTD_HW_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include "core/bridge.h"
#include "core/charge_pump.h"
#include "core/config.h"
#include "hw/hw.h"
#include "sim_plant.h"

/* Injection kinds: the plant's faults, then the adapter's. */
enum {
	INJECT_IIO_ERROR = SIM_FAULT_COUNT,     /* "iio-error": every read of the zone fails */
	INJECT_GPIO_ERROR,                      /* "gpio-error": line writes fail */
	INJECT_LOOP_STALL,                      /* "loop-stall": the loop sleeps for 5 s */
	INJECT_KIND_COUNT
};

/* Enough for a glitch a minute through the longest session. */
#define SIM_MAX_INJECTIONS 256
#define SIM_LOOP_STALL_S   5.0
#define HW_SIM_LED_LOG     64      /* status-light changes kept */
#define HW_SIM_POWER_LOG   8192    /* power-line edges kept */

struct sim_injection {
	int kind;               /* enum sim_fault or INJECT_* */
	int zone;               /* zone index */
	double at_s;            /* simulated time since the start of the run */
	bool done;
};

const char *inject_kind_name(int kind);

/*
 * Parse "KIND[:ZONE]@SECONDS" (zone by name, default the first). Returns 0,
 * or -1 with a message in err.
 */
int sim_injection_parse(const char *spec, const struct config *cfg,
			struct sim_injection *out, char *err, size_t err_len);

struct hw_sim {
	struct sim_plant plant;
	int n_zones;
	struct sim_injection inj[SIM_MAX_INJECTIONS];
	int n_inj;
	bool read_fails[MAX_ZONES];
	bool write_fails;
	double stall_s;                 /* a stall due, to be taken by the loop */
	double lines_frozen_until_s;    /* a stall is being taken: no PWM edge before this */
	struct tick_outputs applied;    /* what the controller asked for last (duty, fan, power) */
	struct bridge bridge[MAX_ZONES];/* each zone's H-bridge, as hw_real runs it */
	bool has_enable[MAX_ZONES];     /* the zone's PWM is on an enable line */
	struct thermistor_params ntc;   /* the config's divider and NTC, for a world's fitted part */
	struct config_simulate simulate;/* the [simulate] section the world was made from (a reload may not change it) */
	/* The status light ([button] led), and its last changes, so a test can read the blinking. */
	bool led_on;
	struct hw_sim_led_change {
		double at_s;
		bool on;
	} led_log[HW_SIM_LED_LOG];
	int n_led_changes;              /* ever; the last HW_SIM_LED_LOG are in led_log, oldest first */
	/* power_mode = charge-pump: the wave, the line it drives, the relay it holds. */
	bool pump_mode;
	struct charge_pump pump;
	bool power_line;                /* the power line's level now (active) */
	double relay_hold_s;            /* the circuit's hold-up after a rising edge */
	double last_rise_s;             /* the last rising edge (-INFINITY: none) */
	struct hw_sim_power_edge {
		double at_s;
		bool active;
	} power_log[HW_SIM_POWER_LOG];
	long n_power_edges;             /* ever; the last HW_SIM_POWER_LOG are in power_log, oldest first */
};

/*
 * The world cfg's [simulate] section describes: the reference plant
 * (sim_world_defaults with cfg's thermistor) with each key the section
 * gives in its place; thermistor_beta and thermistor_r25_ohm, when absent
 * (0), are what [thermistor] says.
 */
void hw_sim_world_from_config(const struct config *cfg, struct sim_world *w);

/*
 * The plant of cfg's zones at rest in the world of cfg's [simulate]
 * section (hw_sim_world_from_config: the reference world when the section
 * is absent), each zone's bridge with cfg's pwm_period_s and dead_time_ms;
 * cfg is copied from, it need not outlive s.
 *
 * The world is fixed from then on: a reloaded config whose [simulate]
 * differs is refused (the table's reload_check says which key), and one
 * that changes [thermistor] changes what the daemon believes, not the part
 * fitted to the pads.
 */
void hw_sim_init(struct hw_sim *s, const struct config *cfg, uint64_t seed);

/*
 * Put the plant in another world (every zone at that world's rest).
 * Returns 0, or -1 once the plant has run (the world is fixed from then).
 */
int hw_sim_set_world(struct hw_sim *s, const struct sim_world *w);

/* Returns 0, or -1 when SIM_MAX_INJECTIONS are already there. */
int hw_sim_add_injection(struct hw_sim *s, const struct sim_injection *inj);

/* The bridge's drive of zone z now: +1 heating, -1 cooling, 0 not conducting. */
int hw_sim_drive(const struct hw_sim *s, int zone);

/*
 * --inject: parse "KIND[:ZONE]@SECONDS" against cfg's zones and add it.
 * Returns 0, or -1 with a message in err.
 */
int hw_sim_inject(struct hw_sim *s, const char *spec, const struct config *cfg, char *err, size_t err_len);

/*
 * Let the plant run from its current time to to_s with the applied
 * outputs, the bridges switching at their edges and injections firing at
 * their times.
 */
void hw_sim_advance(struct hw_sim *s, double to_s);

/*
 * A loop stall that has come due: returns its length and forgets it (0 if
 * none). The caller stalls for that long from the plant's current time;
 * the lines stay as they are until then.
 */
double hw_sim_take_stall(struct hw_sim *s);

/* The hw_ops table over s (read, apply, all_off, close, truth, set_led, reload_check); s lives as long as it. */
struct hw hw_sim_hw(struct hw_sim *s);

/*
 * Is the supply relay closed at the plant's time? power_mode = level: the
 * last tick's power; charge-pump: within the hold-up of a rising edge.
 */
bool hw_sim_relay_closed(const struct hw_sim *s);

/* The i-th of the kept power-line edges, oldest first (i < hw_sim_power_kept()). */
long hw_sim_power_kept(const struct hw_sim *s);
const struct hw_sim_power_edge *hw_sim_power_edge(const struct hw_sim *s, long i);

/* The i-th of the kept status-light changes, oldest first (i < hw_sim_led_kept()). */
int hw_sim_led_kept(const struct hw_sim *s);
const struct hw_sim_led_change *hw_sim_led_change(const struct hw_sim *s, int i);

#endif
