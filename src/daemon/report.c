/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <string.h>
#include "lib/json_out.h"
#include "report.h"
#include "lib/strbuf.h"

static void append_temp(char *buf, size_t len, size_t *pos, double temp_c)
{
	if (isnan(temp_c))
		strbuf_appendf(buf, len, pos, "--.- C");
	else
		strbuf_appendf(buf, len, pos, "%.1f C", temp_c);
}

static void format_clock(double s, char *buf, size_t len)
{
	/* Sessions last hours at most; the cap keeps the field width provable. */
	int total = s > 0 ? (s < 359999 ? (int)s : 359999) : 0;

	snprintf(buf, len, "%d:%02d", total / 60, total % 60);
}

void report_progress(FILE *out, const struct controller *c, double now_s)
{
	char line[512], clock[24];
	size_t pos = 0;
	const struct config *cfg = c->cfg;

	format_clock(controller_session_s(c, now_s), clock, sizeof(clock));
	strbuf_appendf(line, sizeof(line), &pos, "%7s  ", clock);
	if (c->state == SESSION_RUNNING) {
		int phase = c->run.phase;

		/* The target first, the pads after: "left 39.0 C" must not read as time left. */
		strbuf_appendf(line, sizeof(line), &pos, "%s %d/%d  target %.1f C  ",
		       phase_kind_name(program_phase_kind(&c->program, phase)),
		       program_phase_cycle(&c->program, phase), c->program.cycles,
		       program_phase_setpoint_c(&c->program, phase));
	} else {
		strbuf_appendf(line, sizeof(line), &pos, "%s  ", session_state_name(c->state));
	}
	strbuf_appendf(line, sizeof(line), &pos, "pads:");
	for (int z = 0; z < cfg->n_zones; z++) {
		strbuf_appendf(line, sizeof(line), &pos, "%s %s ", z ? "," : "", cfg->zones[z].name);
		append_temp(line, sizeof(line), &pos, c->zone[z].pad_c);
	}
	fprintf(out, "%s\n", line);
	fflush(out);
}

void report_status(const struct controller *c, double now_s, char *buf, size_t len)
{
	size_t pos = 0;
	const struct config *cfg = c->cfg;

	buf[0] = '\0';
	if (c->state == SESSION_FAULT && safety_latched(&c->safety)) {
		const char *names[MAX_ZONES];
		char desc[256];

		for (int z = 0; z < MAX_ZONES; z++)
			names[z] = z < cfg->n_zones ? cfg->zones[z].name : "?";
		safety_describe(safety_latched_fault(&c->safety), names, desc, sizeof(desc));
		strbuf_appendf(buf, len, &pos, "FAULT: %s", desc);
		return;
	}
	if (c->state == SESSION_RUNNING) {
		strbuf_appendf(buf, len, &pos, "%s %d/%d, target %.1f C;",
		       phase_kind_name(program_phase_kind(&c->program, c->run.phase)),
		       program_phase_cycle(&c->program, c->run.phase), c->program.cycles,
		       program_phase_setpoint_c(&c->program, c->run.phase));
	} else {
		strbuf_appendf(buf, len, &pos, "%s;", session_state_name(c->state));
	}
	(void)now_s;
	strbuf_appendf(buf, len, &pos, " pads");
	for (int z = 0; z < cfg->n_zones; z++) {
		strbuf_appendf(buf, len, &pos, "%s %s ", z ? "," : "", cfg->zones[z].name);
		append_temp(buf, len, &pos, c->zone[z].pad_c);
	}
}

void report_summary_json(const struct controller *c, char *buf, size_t len)
{
	const struct config *cfg = c->cfg;
	const struct program *p = &c->program;
	int cycles_done = c->run.done ? p->cycles : c->run.phase / 2;
	struct json_out j;

	if (cycles_done > p->cycles)
		cycles_done = p->cycles;
	json_out_init(&j, buf, len);
	json_out_begin_object(&j);
	json_out_key(&j, "result");
	json_out_string(&j, session_state_name(c->state));
	json_out_key(&j, "program");
	json_out_string(&j, p->name);
	json_out_key(&j, "duration_s");
	json_out_number(&j, c->session_end_s - c->session_start_s, 2);
	json_out_key(&j, "cycles_done");
	json_out_int(&j, cycles_done);
	json_out_key(&j, "zones");
	json_out_begin_array(&j);
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_stats *st = &c->zone[z].stats;

		json_out_begin_object(&j);
		json_out_key(&j, "name");
		json_out_string(&j, cfg->zones[z].name);
		json_out_key(&j, "max_pad_c");
		json_out_number(&j, st->max_pad_c, 2);
		json_out_key(&j, "min_pad_c");
		json_out_number(&j, st->min_pad_c, 2);
		json_out_key(&j, "time_in_band_pct");
		json_out_number(&j, st->ticks_running ? 100.0 * st->ticks_in_band / st->ticks_running : 0.0, 2);
		json_out_key(&j, "max_heatsink_c");
		json_out_number(&j, st->max_heatsink_c, 2);
		json_out_end_object(&j);
	}
	json_out_end_array(&j);
	json_out_key(&j, "fault");
	if (c->state == SESSION_FAULT && safety_latched(&c->safety)) {
		const struct fault *f = safety_latched_fault(&c->safety);

		json_out_begin_object(&j);
		json_out_key(&j, "kind");
		json_out_string(&j, fault_kind_name(f->kind));
		json_out_key(&j, "zone");
		json_out_string(&j, f->zone >= 0 && f->zone < cfg->n_zones ? cfg->zones[f->zone].name : NULL);
		json_out_key(&j, "at_s");
		json_out_number(&j, f->at_s, 2);
		json_out_key(&j, "sensor");
		json_out_string(&j, f->sensor);
		json_out_key(&j, "value");
		json_out_number(&j, f->value, 2);
		json_out_key(&j, "limit");
		json_out_number(&j, f->limit, 2);
		json_out_end_object(&j);
	} else {
		json_out_null(&j);
	}
	json_out_end_object(&j);
}

void report_summary_text(const struct controller *c, char *buf, size_t len)
{
	const struct config *cfg = c->cfg;
	const struct program *p = &c->program;
	int cycles_done = c->run.done ? p->cycles : c->run.phase / 2;
	double length_s = c->session_end_s - c->session_start_s;
	char clock[24];
	size_t pos = 0;

	if (cycles_done > p->cycles)
		cycles_done = p->cycles;
	buf[0] = '\0';
	format_clock(length_s, clock, sizeof(clock));
	switch (c->state) {
	case SESSION_COMPLETED:
		strbuf_appendf(buf, len, &pos, "completed %d cycle%s of program %s in %s", cycles_done,
			       cycles_done == 1 ? "" : "s", p->name, clock);
		break;
	case SESSION_FAULT:
		strbuf_appendf(buf, len, &pos, "ended by a safety fault after %s (%d of %d cycles)", clock,
			       cycles_done, p->cycles);
		break;
	default:
		strbuf_appendf(buf, len, &pos, "%s after %s (%d of %d cycles of program %s)",
			       session_state_name(c->state), clock, cycles_done, p->cycles, p->name);
		break;
	}
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_stats *st = &c->zone[z].stats;

		if (st->ticks_running == 0)
			continue;
		strbuf_appendf(buf, len, &pos, "; %s pad within %.1f \xc2\xb0""C of the setpoint %.0f %% of the "
			       "time (%.1f to %.1f \xc2\xb0""C)", cfg->zones[z].name, p->band_c,
			       100.0 * st->ticks_in_band / st->ticks_running, st->min_pad_c, st->max_pad_c);
	}
	if (c->state == SESSION_FAULT && safety_latched(&c->safety)) {
		const char *names[MAX_ZONES];
		char desc[256];

		for (int z = 0; z < MAX_ZONES; z++)
			names[z] = z < cfg->n_zones ? cfg->zones[z].name : "?";
		safety_describe(safety_latched_fault(&c->safety), names, desc, sizeof(desc));
		strbuf_appendf(buf, len, &pos, "; fault: %s", desc);
	}
}
