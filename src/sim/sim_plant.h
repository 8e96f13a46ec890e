/* SPDX-License-Identifier: MIT */
/*
 * The simulated plant: per zone a pad on a leg, a Peltier (TEC1-12706 on
 * 12 V) between the pad and a heatsink with a fan, and the sensors as an
 * ADS1115 sees them through the thermistor divider. docs/simulation.md
 * gives the model, its numbers and what it was checked against.
 *
 * The world the plant lives in (struct sim_world) can disagree with the
 * config: the thermistor actually fitted, a pad sensor that reads high or
 * low, the room, the body under the pad, the supply, the fan. Every field
 * defaults to the reference plant.
 *
 * The plant also breaks on demand (fault injection): sensors open, short,
 * stuck, detached, drifting or glitching; a dead, reversed or stuck-on
 * Peltier; a failed fan. Faults of the adapter (failed reads and writes, a
 * stalled loop) are injected in hw_sim instead.
 *
 * Deterministic: the same seed and the same inputs give the same run, bit
 * for bit. No allocation.
 */
#ifndef CONTRASTD_SIM_PLANT_H
#define CONTRASTD_SIM_PLANT_H

#include <stdbool.h>
#include <stdint.h>
#include "core/limits.h"
#include "core/sensor.h"
#include "core/thermistor.h"

/* Reference numbers; docs/simulation.md explains each. */
#define SIM_BODY_C              37.0    /* body core under the pad (world: core_c) */
#define SIM_AIR_C               22.0    /* bedroom air (world: ambient_c) */
#define SIM_PAD_J_PER_K         150.0
#define SIM_PAD_BODY_W_PER_K    1.0     /* world: perfusion_w_per_k */
#define SIM_PAD_AIR_W_PER_K     0.05
#define SIM_SINK_J_PER_K        300.0
#define SIM_SINK_FAN_W_PER_K    4.0     /* world: fan_w_per_k */
#define SIM_SINK_NOFAN_W_PER_K  0.8
#define SIM_SUPPLY_V            12.0    /* world: supply_v */
#define SIM_GLITCH_C            2.0     /* world: glitch_c */
#define SIM_TEC_VMAX_V          15.4
#define SIM_TEC_IMAX_A          6.4
#define SIM_TEC_DTMAX_K         68.0
#define SIM_TEC_TH_K            323.0
#define SIM_SENSOR_LAG_S        2.0
#define SIM_SENSOR_NOISE_C      0.05    /* standard deviation */
#define SIM_ADC_FULL_SCALE_MV   4096.0  /* ADS1115 at +/-4.096 V */
#define SIM_ADC_COUNTS          32768   /* 16-bit signed */
#define SIM_ADC_LSB_MV          (SIM_ADC_FULL_SCALE_MV / SIM_ADC_COUNTS)
#define SIM_SUBSTEP_S           0.01    /* integration step */

/*
 * The world the plant lives in. sim_world_defaults() gives the reference
 * plant; each field may then disagree with what the config believes.
 */
struct sim_world {
	double thermistor_beta;         /* the NTC actually fitted (every sensor): Beta, K */
	double thermistor_r25_ohm;      /* ... and its resistance at 25 C */
	double pad_offset_c;            /* the pad sensors (pad and pad2) read this much high */
	double ambient_c;               /* bedroom air */
	double core_c;                  /* body core under the pad */
	double perfusion_w_per_k;       /* the body's coupling to the pad (blood flow under it) */
	double supply_v;                /* the Peltier supply */
	double fan_w_per_k;             /* heatsink to air while its fan runs */
	double glitch_c;                /* a sensor-glitch sample reads this much high (negative: low) */
};

/*
 * The reference plant, with the thermistor the config describes
 * (configured's Beta and R25; a Steinhart-Hart config stays as it is).
 */
void sim_world_defaults(struct sim_world *w, const struct thermistor_params *configured);

enum sim_fault {
	SIM_FAULT_SENSOR_OPEN,          /* the pad divider reads the open-NTC rail */
	SIM_FAULT_SENSOR_SHORT,         /* the pad divider reads the shorted-NTC rail */
	SIM_FAULT_SENSOR_STUCK,         /* the pad ADC returns its last raw value forever */
	SIM_FAULT_SENSOR_DETACHED,      /* the pad sensor drops off and reads the air */
	SIM_FAULT_SENSOR_DRIFT,         /* the first pad sensor reads 0.1 C/s high, growing */
	SIM_FAULT_PELTIER_DEAD,         /* no current flows */
	SIM_FAULT_PELTIER_REVERSED,     /* the bridge's wires are swapped */
	SIM_FAULT_PELTIER_STUCK_ON,     /* full heat whatever the lines say; only power cuts it */
	SIM_FAULT_FAN_FAIL,             /* the heatsink loses its fan */
	SIM_FAULT_SENSOR_GLITCH,        /* one sample of the first pad sensor reads glitch_c off (once) */
	SIM_FAULT_PELTIER_STUCK_ON_COOL,/* full cooling whatever the lines say; only power cuts it */
	SIM_FAULT_COUNT
};

struct sim_sensor {
	double lagged_c;                /* the sensor body's temperature (first-order lag) */
	int64_t last_raw;               /* for the stuck fault */
	bool have_raw;
};

struct sim_zone {
	double pad_c;                   /* true pad temperature */
	double sink_c;                  /* true heatsink temperature */
	double pad_max_c, pad_min_c;    /* extremes of pad_c at every integration step since it was set */
	struct sim_sensor pad_sensor, pad2_sensor, sink_sensor;
	bool fault[SIM_FAULT_COUNT];
	double drift_start_s;
	bool glitch_pending;            /* the next pad sample is off by glitch_c */
};

struct sim_plant {
	int n_zones;
	struct sim_zone zone[MAX_ZONES];
	struct sim_world world;
	struct thermistor_params ntc;   /* the part fitted: the config's divider, the world's NTC */
	uint64_t rng;
	double t_s;
};

/*
 * The reference world (sim_world_defaults with ntc), every zone at rest
 * (pad 32.8 C, heatsink 26.5 C: the equilibrium of an idle device, fan off).
 */
void sim_plant_init(struct sim_plant *p, int n_zones, const struct thermistor_params *ntc, uint64_t seed);

/*
 * Put the plant into world w, with every zone at that world's rest state.
 * ntc is the configured divider (series resistor, supply, wiring); the
 * NTC in it is the world's. Call before the plant runs.
 */
void sim_plant_set_world(struct sim_plant *p, const struct thermistor_params *ntc, const struct sim_world *w);

/* The rest state of an idle device (no current, fan off) in world w. */
void sim_world_rest(const struct sim_world *w, double *pad_c, double *sink_c);

/* Set a zone's true temperatures (tests); the sensors jump there too. */
void sim_plant_set(struct sim_plant *p, int zone, double pad_c, double sink_c);

/*
 * Advance dt_s with these outputs held: duty[z] signed (+ heats the pad),
 * fan[z], and power (the supply relay: false means no current at all).
 * A duty of +1 or -1 is the bridge conducting, 0 not; hw_sim drives the
 * plant so, edge by edge. A fraction is taken as that share of full power
 * (the average of a PWM period), which the plant's tests use.
 */
void sim_plant_step(struct sim_plant *p, const double duty[], const bool fan[], bool power, double dt_s);

/* Sample the sensors now: pad, pad2 and heatsink of zone z, as an ADS1115 would read them. */
void sim_plant_sample(struct sim_plant *p, int zone, struct sensor_sample *pad,
		      struct sensor_sample *pad2, struct sensor_sample *heatsink);

void sim_plant_inject(struct sim_plant *p, int zone, enum sim_fault f);

const char *sim_fault_name(enum sim_fault f);   /* "sensor-open", ... */
/* Returns -1 for an unknown name. */
int sim_fault_from_name(const char *name);

#endif
