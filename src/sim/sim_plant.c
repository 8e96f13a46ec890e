/* SPDX-License-Identifier: MIT */
/*
 * The simulated plant. See sim_plant.h and docs/simulation.md.
 *
 * Two thermal nodes per zone (pad, heatsink) joined by the Peltier, plus a
 * first-order lag per sensor, integrated by explicit Euler at 10 ms: the
 * fastest time constant (the 2 s sensor lag) is 200 steps long.
 */
#include <math.h>
#include <string.h>
#include "sim_plant.h"

static const char *const fault_names[SIM_FAULT_COUNT] = {
	[SIM_FAULT_SENSOR_OPEN] = "sensor-open",
	[SIM_FAULT_SENSOR_SHORT] = "sensor-short",
	[SIM_FAULT_SENSOR_STUCK] = "sensor-stuck",
	[SIM_FAULT_SENSOR_DETACHED] = "sensor-detached",
	[SIM_FAULT_SENSOR_DRIFT] = "sensor-drift",
	[SIM_FAULT_PELTIER_DEAD] = "peltier-dead",
	[SIM_FAULT_PELTIER_REVERSED] = "peltier-reversed",
	[SIM_FAULT_PELTIER_STUCK_ON] = "peltier-stuck-on",
	[SIM_FAULT_FAN_FAIL] = "fan-fail",
	[SIM_FAULT_SENSOR_GLITCH] = "sensor-glitch",
	[SIM_FAULT_PELTIER_STUCK_ON_COOL] = "peltier-stuck-on-cool",
};

const char *sim_fault_name(enum sim_fault f)
{
	return (unsigned)f < SIM_FAULT_COUNT ? fault_names[f] : "unknown";
}

int sim_fault_from_name(const char *name)
{
	for (int i = 0; i < SIM_FAULT_COUNT; i++)
		if (strcmp(name, fault_names[i]) == 0)
			return i;
	return -1;
}

/* splitmix64: small, well distributed, and the same on every machine. */
static uint64_t next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]: never 0, so log() below is finite. */
static double next_unit(uint64_t *state)
{
	return ((next_u64(state) >> 11) + 1) * (1.0 / 9007199254740992.0);
}

/* Standard normal by Box-Muller (one of the pair; determinism beats speed here). */
static double next_gauss(uint64_t *state)
{
	double u1 = next_unit(state), u2 = next_unit(state);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

static void sensor_reset(struct sim_sensor *s, double temp_c)
{
	s->lagged_c = temp_c;
	s->have_raw = false;
	s->last_raw = 0;
}

void sim_world_defaults(struct sim_world *w, const struct thermistor_params *configured)
{
	w->thermistor_beta = configured->beta;
	w->thermistor_r25_ohm = configured->r25_ohm;
	w->pad_offset_c = 0.0;
	w->ambient_c = SIM_AIR_C;
	w->core_c = SIM_BODY_C;
	w->perfusion_w_per_k = SIM_PAD_BODY_W_PER_K;
	w->supply_v = SIM_SUPPLY_V;
	w->fan_w_per_k = SIM_SINK_FAN_W_PER_K;
	w->glitch_c = SIM_GLITCH_C;
}

/* The Peltier's thermal conductance, W/K (see peltier_flows). */
static double tec_conductance_w_per_k(void)
{
	return (SIM_TEC_VMAX_V * SIM_TEC_IMAX_A / (2.0 * SIM_TEC_TH_K)) *
	       (SIM_TEC_TH_K - SIM_TEC_DTMAX_K) / SIM_TEC_DTMAX_K;
}

/*
 * No current, fan off: the pad is held by the body, the air and the
 * element's conduction to the heatsink, which loses to the air. Two linear
 * balances, solved for the pad:
 *   body (core - pad) + air (amb - pad) + K (sink - pad) = 0
 *   still (amb - sink) + K (pad - sink) = 0
 */
void sim_world_rest(const struct sim_world *w, double *pad_c, double *sink_c)
{
	double k = tec_conductance_w_per_k(), still = SIM_SINK_NOFAN_W_PER_K;
	double body = w->perfusion_w_per_k, air = SIM_PAD_AIR_W_PER_K;
	double pad = (body * w->core_c + air * w->ambient_c + k * still * w->ambient_c / (still + k)) /
		     (body + air + k - k * k / (still + k));

	*pad_c = pad;
	*sink_c = (still * w->ambient_c + k * pad) / (still + k);
}

void sim_plant_set(struct sim_plant *p, int zone, double pad_c, double sink_c)
{
	struct sim_zone *z = &p->zone[zone];

	z->pad_c = pad_c;
	z->sink_c = sink_c;
	z->pad_max_c = pad_c;
	z->pad_min_c = pad_c;
	sensor_reset(&z->pad_sensor, pad_c);
	sensor_reset(&z->pad2_sensor, pad_c);
	sensor_reset(&z->sink_sensor, sink_c);
}

void sim_plant_set_world(struct sim_plant *p, const struct thermistor_params *ntc, const struct sim_world *w)
{
	double pad_c, sink_c;

	p->world = *w;
	p->ntc = *ntc;
	/* A part other than the configured one is described by its Beta. */
	if (w->thermistor_beta != ntc->beta || w->thermistor_r25_ohm != ntc->r25_ohm) {
		p->ntc.beta = w->thermistor_beta;
		p->ntc.r25_ohm = w->thermistor_r25_ohm;
		p->ntc.has_sh = false;
	}
	sim_world_rest(w, &pad_c, &sink_c);
	for (int i = 0; i < p->n_zones; i++)
		sim_plant_set(p, i, pad_c, sink_c);
}

void sim_plant_init(struct sim_plant *p, int n_zones, const struct thermistor_params *ntc, uint64_t seed)
{
	struct sim_world w;

	memset(p, 0, sizeof(*p));
	p->n_zones = n_zones;
	p->rng = seed;
	sim_world_defaults(&w, ntc);
	sim_plant_set_world(p, ntc, &w);
}

void sim_plant_inject(struct sim_plant *p, int zone, enum sim_fault f)
{
	struct sim_zone *z = &p->zone[zone];

	if (f == SIM_FAULT_SENSOR_GLITCH) {
		z->glitch_pending = true;       /* one sample, not a lasting state */
		return;
	}
	z->fault[f] = true;
	if (f == SIM_FAULT_SENSOR_DRIFT)
		z->drift_start_s = p->t_s;
}

/*
 * Heat flows of the Peltier for duty d (0..1) with the pad on the hot side
 * (heating) or the cold side (cooling). The standard model, temperatures in
 * kelvin: with dT = Th - Tc and on-current I = (V - S dT) / R,
 *   cold side gives up  Qc = S Tc d I - R d I^2 / 2 - K dT
 *   hot side receives   Qh = S Th d I + R d I^2 / 2 - K dT
 * With d = 0 both reduce to conduction K dT from hot to cold.
 */
static void peltier_flows(double pad_c, double sink_c, double d, bool pad_hot, double supply_v,
			  double *to_pad_w, double *to_sink_w)
{
	const double s = SIM_TEC_VMAX_V / SIM_TEC_TH_K;
	const double r = (SIM_TEC_VMAX_V / SIM_TEC_IMAX_A) * (SIM_TEC_TH_K - SIM_TEC_DTMAX_K) / SIM_TEC_TH_K;
	const double k = tec_conductance_w_per_k();
	double hot_c = pad_hot ? pad_c : sink_c;
	double cold_c = pad_hot ? sink_c : pad_c;
	double dt_k = hot_c - cold_c;
	double current_a = (supply_v - s * dt_k) / r;

	if (current_a < 0.0)
		current_a = 0.0;
	double qc = s * (cold_c + KELVIN_OFFSET) * d * current_a - r * d * current_a * current_a / 2.0 - k * dt_k;
	double qh = s * (hot_c + KELVIN_OFFSET) * d * current_a + r * d * current_a * current_a / 2.0 - k * dt_k;

	if (pad_hot) {
		*to_pad_w = qh;
		*to_sink_w = -qc;
	} else {
		*to_pad_w = -qc;
		*to_sink_w = qh;
	}
}

static void zone_substep(const struct sim_world *w, struct sim_zone *z, double duty, bool fan, bool power,
			 double dt_s)
{
	double d = fabs(duty);
	bool pad_hot = duty > 0.0;

	if (z->fault[SIM_FAULT_PELTIER_REVERSED])
		pad_hot = !pad_hot;
	if (z->fault[SIM_FAULT_PELTIER_STUCK_ON] || z->fault[SIM_FAULT_PELTIER_STUCK_ON_COOL]) {
		d = 1.0;
		pad_hot = z->fault[SIM_FAULT_PELTIER_STUCK_ON];
	}
	if (!power || z->fault[SIM_FAULT_PELTIER_DEAD])
		d = 0.0;

	double to_pad_w, to_sink_w;

	peltier_flows(z->pad_c, z->sink_c, d, pad_hot, w->supply_v, &to_pad_w, &to_sink_w);

	double sink_air_w_per_k = (fan && !z->fault[SIM_FAULT_FAN_FAIL]) ?
				  w->fan_w_per_k : SIM_SINK_NOFAN_W_PER_K;
	double pad_w = w->perfusion_w_per_k * (w->core_c - z->pad_c) +
		       SIM_PAD_AIR_W_PER_K * (w->ambient_c - z->pad_c) + to_pad_w;
	double sink_w = sink_air_w_per_k * (w->ambient_c - z->sink_c) + to_sink_w;

	z->pad_c += pad_w / SIM_PAD_J_PER_K * dt_s;
	z->sink_c += sink_w / SIM_SINK_J_PER_K * dt_s;
	z->pad_max_c = fmax(z->pad_max_c, z->pad_c);
	z->pad_min_c = fmin(z->pad_min_c, z->pad_c);

	/* Each sensor follows what it touches with a first-order lag. */
	double pad_sensor_target_c = z->fault[SIM_FAULT_SENSOR_DETACHED] ? w->ambient_c : z->pad_c;
	double a = dt_s / SIM_SENSOR_LAG_S;

	z->pad_sensor.lagged_c += (pad_sensor_target_c - z->pad_sensor.lagged_c) * a;
	z->pad2_sensor.lagged_c += (z->pad_c - z->pad2_sensor.lagged_c) * a;
	z->sink_sensor.lagged_c += (z->sink_c - z->sink_sensor.lagged_c) * a;
}

void sim_plant_step(struct sim_plant *p, const double duty[], const bool fan[], bool power, double dt_s)
{
	int n = (int)ceil(dt_s / SIM_SUBSTEP_S - 1e-9);

	if (n < 1)
		n = 1;
	double h = dt_s / n;

	for (int i = 0; i < n; i++)
		for (int zi = 0; zi < p->n_zones; zi++)
			zone_substep(&p->world, &p->zone[zi], duty[zi], fan[zi], power, h);
	p->t_s += dt_s;
}

static int64_t mv_to_raw(double mv)
{
	double counts = round(mv / SIM_ADC_LSB_MV);

	if (counts > SIM_ADC_COUNTS - 1)
		counts = SIM_ADC_COUNTS - 1;
	if (counts < -SIM_ADC_COUNTS)
		counts = -SIM_ADC_COUNTS;
	return (int64_t)counts;
}

/* The divider voltage of an open (infinite) or shorted (zero) NTC. */
static double rail_mv(const struct thermistor_params *ntc, bool open)
{
	bool at_supply = (ntc->ntc_to == NTC_TO_GROUND) == open;

	return at_supply ? ntc->supply_mv : 0.0;
}

static void sample_sensor(struct sim_plant *p, struct sim_sensor *s, double offset_c,
			  const bool *fault, bool faults_apply, struct sensor_sample *out)
{
	double noise_c = SIM_SENSOR_NOISE_C * next_gauss(&p->rng);
	double mv = thermistor_ohm_to_mv(&p->ntc, thermistor_c_to_ohm(&p->ntc, s->lagged_c + noise_c + offset_c));
	int64_t raw;

	if (faults_apply && fault[SIM_FAULT_SENSOR_OPEN])
		mv = rail_mv(&p->ntc, true);
	else if (faults_apply && fault[SIM_FAULT_SENSOR_SHORT])
		mv = rail_mv(&p->ntc, false);
	raw = mv_to_raw(mv);
	if (faults_apply && fault[SIM_FAULT_SENSOR_STUCK] && s->have_raw)
		raw = s->last_raw;
	s->last_raw = raw;
	s->have_raw = true;

	out->ok = true;
	out->unit = SAMPLE_MV;
	out->raw = raw;
	out->value = (double)raw * SIM_ADC_LSB_MV;
}

void sim_plant_sample(struct sim_plant *p, int zone, struct sensor_sample *pad,
		      struct sensor_sample *pad2, struct sensor_sample *heatsink)
{
	struct sim_zone *z = &p->zone[zone];
	double offset_c = p->world.pad_offset_c, drift_c = 0.0, glitch_c = 0.0;

	if (z->fault[SIM_FAULT_SENSOR_DRIFT])
		drift_c = 0.1 * (p->t_s - z->drift_start_s);
	if (z->glitch_pending) {
		glitch_c = p->world.glitch_c;
		z->glitch_pending = false;
	}

	/* The injected sensor faults break the first pad sensor only. */
	sample_sensor(p, &z->pad_sensor, offset_c + drift_c + glitch_c, z->fault, true, pad);
	sample_sensor(p, &z->pad2_sensor, offset_c, z->fault, false, pad2);
	sample_sensor(p, &z->sink_sensor, 0.0, z->fault, false, heatsink);
}
