/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "report.h"
#include "strbuf.h"

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

		strbuf_appendf(line, sizeof(line), &pos, "%s %d/%d  to %.1f C ",
		       phase_kind_name(program_phase_kind(&c->program, phase)),
		       program_phase_cycle(&c->program, phase), c->program.cycles,
		       program_phase_setpoint_c(&c->program, phase));
	} else {
		strbuf_appendf(line, sizeof(line), &pos, "%s ", session_state_name(c->state));
	}
	for (int z = 0; z < cfg->n_zones; z++) {
		strbuf_appendf(line, sizeof(line), &pos, "  %s ", cfg->zones[z].name);
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
		strbuf_appendf(buf, len, &pos, "%s %d/%d",
		       phase_kind_name(program_phase_kind(&c->program, c->run.phase)),
		       program_phase_cycle(&c->program, c->run.phase), c->program.cycles);
	} else {
		strbuf_appendf(buf, len, &pos, "%s", session_state_name(c->state));
	}
	(void)now_s;
	for (int z = 0; z < cfg->n_zones; z++) {
		strbuf_appendf(buf, len, &pos, " %s ", cfg->zones[z].name);
		append_temp(buf, len, &pos, c->zone[z].pad_c);
	}
}

/* Names are [A-Za-z0-9_-] by the config's rules; escape anyway, a JSON line must parse. */
static void append_json_string(char *buf, size_t len, size_t *pos, const char *s)
{
	strbuf_appendf(buf, len, pos, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			strbuf_appendf(buf, len, pos, "\\%c", ch);
		else if (ch < 0x20)
			strbuf_appendf(buf, len, pos, "\\u%04x", ch);
		else
			strbuf_appendf(buf, len, pos, "%c", ch);
	}
	strbuf_appendf(buf, len, pos, "\"");
}

static void append_json_number(char *buf, size_t len, size_t *pos, double v)
{
	if (isfinite(v))
		strbuf_appendf(buf, len, pos, "%.2f", v);
	else
		strbuf_appendf(buf, len, pos, "null");
}

void report_summary_json(const struct controller *c, char *buf, size_t len)
{
	size_t pos = 0;
	const struct config *cfg = c->cfg;
	const struct program *p = &c->program;
	int cycles_done = c->run.done ? p->cycles : c->run.phase / 2;

	if (cycles_done > p->cycles)
		cycles_done = p->cycles;
	strbuf_appendf(buf, len, &pos, "{\"result\":");
	append_json_string(buf, len, &pos, session_state_name(c->state));
	strbuf_appendf(buf, len, &pos, ",\"program\":");
	append_json_string(buf, len, &pos, p->name);
	strbuf_appendf(buf, len, &pos, ",\"duration_s\":");
	append_json_number(buf, len, &pos, c->session_end_s - c->session_start_s);
	strbuf_appendf(buf, len, &pos, ",\"cycles_done\":%d,\"zones\":[", cycles_done);
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_stats *st = &c->zone[z].stats;

		strbuf_appendf(buf, len, &pos, "%s{\"name\":", z ? "," : "");
		append_json_string(buf, len, &pos, cfg->zones[z].name);
		strbuf_appendf(buf, len, &pos, ",\"max_pad_c\":");
		append_json_number(buf, len, &pos, st->max_pad_c);
		strbuf_appendf(buf, len, &pos, ",\"min_pad_c\":");
		append_json_number(buf, len, &pos, st->min_pad_c);
		strbuf_appendf(buf, len, &pos, ",\"time_in_band_pct\":");
		append_json_number(buf, len, &pos,
				   st->ticks_running ? 100.0 * st->ticks_in_band / st->ticks_running : 0.0);
		strbuf_appendf(buf, len, &pos, ",\"max_heatsink_c\":");
		append_json_number(buf, len, &pos, st->max_heatsink_c);
		strbuf_appendf(buf, len, &pos, "}");
	}
	strbuf_appendf(buf, len, &pos, "],\"fault\":");
	if (c->state == SESSION_FAULT && safety_latched(&c->safety)) {
		const struct fault *f = safety_latched_fault(&c->safety);

		strbuf_appendf(buf, len, &pos, "{\"kind\":");
		append_json_string(buf, len, &pos, fault_kind_name(f->kind));
		strbuf_appendf(buf, len, &pos, ",\"zone\":");
		if (f->zone >= 0 && f->zone < cfg->n_zones)
			append_json_string(buf, len, &pos, cfg->zones[f->zone].name);
		else
			strbuf_appendf(buf, len, &pos, "null");
		strbuf_appendf(buf, len, &pos, ",\"at_s\":");
		append_json_number(buf, len, &pos, f->at_s);
		strbuf_appendf(buf, len, &pos, ",\"sensor\":");
		append_json_string(buf, len, &pos, f->sensor);
		strbuf_appendf(buf, len, &pos, ",\"value\":");
		append_json_number(buf, len, &pos, f->value);
		strbuf_appendf(buf, len, &pos, ",\"limit\":");
		append_json_number(buf, len, &pos, f->limit);
		strbuf_appendf(buf, len, &pos, "}");
	} else {
		strbuf_appendf(buf, len, &pos, "null");
	}
	strbuf_appendf(buf, len, &pos, "}");
}
