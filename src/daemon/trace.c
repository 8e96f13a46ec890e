/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <string.h>
#include "lib/log.h"
#include "trace.h"

void trace_header(FILE *f, bool pump)
{
	fputs("t_s,zone,state,phase,setpoint_c,pad_c,pad2_c,true_pad_c,heatsink_c,"
	      "true_heatsink_c,duty,heat,cool,enable,fan,power", f);
	fputs(pump ? ",power_edges,relay\n" : "\n", f);
}

static void field_temp(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, ",%.3f", v);
	else
		fputs(",", f);
}

static void field_reading(FILE *f, const struct reading *r)
{
	field_temp(f, r->status == READING_OK ? r->temp_c : NAN);
}

void trace_rows(FILE *f, const struct controller *c, double now_s,
		const struct tick_outputs *applied, const double *true_pad_c, const double *true_sink_c,
		const struct trace_pump *pump)
{
	const struct config *cfg = c->cfg;
	const char *phase = "";

	if (c->state == SESSION_RUNNING)
		phase = phase_kind_name(program_phase_kind(&c->program, c->run.phase));
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_run *zr = &c->zone[z];
		double duty = applied->duty[z];
		bool has_pad2 = cfg->zones[z].pad_sensor2[0] != '\0';

		fprintf(f, "%.3f,%s,%s,%s", now_s, cfg->zones[z].name, session_state_name(c->state), phase);
		field_temp(f, zr->setpoint_c);
		field_reading(f, &zr->pad);
		field_temp(f, has_pad2 && zr->pad2.status == READING_OK ? zr->pad2.temp_c : NAN);
		field_temp(f, true_pad_c ? true_pad_c[z] : NAN);
		field_reading(f, &zr->heatsink);
		field_temp(f, true_sink_c ? true_sink_c[z] : NAN);
		/* The lines: polarity by the sign, enable carries the PWM duty. */
		fprintf(f, ",%.4f,%d,%d,%.4f,%d,%d", duty, duty > 0.0, duty < 0.0, fabs(duty),
			applied->fan[z] ? 1 : 0, applied->power ? 1 : 0);
		if (pump && pump->relay >= 0)
			fprintf(f, ",%ld,%d", pump->edges, pump->relay);
		else if (pump)
			fprintf(f, ",%ld,", pump->edges);
		fputc('\n', f);
	}
}

int trace_close(FILE *f, const char *path)
{
	int failed = fflush(f) != 0 || ferror(f);
	int e = errno;

	if (fclose(f) != 0 && !failed) {
		failed = 1;
		e = errno;
	}
	if (failed) {
		log_err("--trace %s: write: %s; the trace is incomplete", path, strerror(e ? e : EIO));
		return -1;
	}
	return 0;
}
