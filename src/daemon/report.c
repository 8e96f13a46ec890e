/* SPDX-License-Identifier: MIT */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "report.h"

/* Append to buf without ever overrunning it; *pos stays <= len - 1. */
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;

	if (*pos >= len - 1)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *pos, len - *pos, fmt, ap);

	va_end(ap);
	if (n < 0)
		return;
	*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

static void append_temp(char *buf, size_t len, size_t *pos, double temp_c)
{
	if (isnan(temp_c))
		append(buf, len, pos, "--.- C");
	else
		append(buf, len, pos, "%.1f C", temp_c);
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
	append(line, sizeof(line), &pos, "%7s  ", clock);
	if (c->state == SESSION_RUNNING) {
		int phase = c->run.phase;

		append(line, sizeof(line), &pos, "%s %d/%d  to %.1f C ",
		       phase_kind_name(program_phase_kind(&c->program, phase)),
		       program_phase_cycle(&c->program, phase), c->program.cycles,
		       program_phase_setpoint_c(&c->program, phase));
	} else {
		append(line, sizeof(line), &pos, "%s ", session_state_name(c->state));
	}
	for (int z = 0; z < cfg->n_zones; z++) {
		append(line, sizeof(line), &pos, "  %s ", cfg->zones[z].name);
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
		append(buf, len, &pos, "FAULT: %s", desc);
		return;
	}
	if (c->state == SESSION_RUNNING) {
		append(buf, len, &pos, "%s %d/%d",
		       phase_kind_name(program_phase_kind(&c->program, c->run.phase)),
		       program_phase_cycle(&c->program, c->run.phase), c->program.cycles);
	} else {
		append(buf, len, &pos, "%s", session_state_name(c->state));
	}
	(void)now_s;
	for (int z = 0; z < cfg->n_zones; z++) {
		append(buf, len, &pos, " %s ", cfg->zones[z].name);
		append_temp(buf, len, &pos, c->zone[z].pad_c);
	}
}

/* Names are [A-Za-z0-9_-] by the config's rules; escape anyway, a JSON line must parse. */
static void append_json_string(char *buf, size_t len, size_t *pos, const char *s)
{
	append(buf, len, pos, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			append(buf, len, pos, "\\%c", ch);
		else if (ch < 0x20)
			append(buf, len, pos, "\\u%04x", ch);
		else
			append(buf, len, pos, "%c", ch);
	}
	append(buf, len, pos, "\"");
}

static void append_json_number(char *buf, size_t len, size_t *pos, double v)
{
	if (isfinite(v))
		append(buf, len, pos, "%.2f", v);
	else
		append(buf, len, pos, "null");
}

void report_summary_json(const struct controller *c, char *buf, size_t len)
{
	size_t pos = 0;
	const struct config *cfg = c->cfg;
	const struct program *p = &c->program;
	int cycles_done = c->run.done ? p->cycles : c->run.phase / 2;

	if (cycles_done > p->cycles)
		cycles_done = p->cycles;
	append(buf, len, &pos, "{\"result\":");
	append_json_string(buf, len, &pos, session_state_name(c->state));
	append(buf, len, &pos, ",\"program\":");
	append_json_string(buf, len, &pos, p->name);
	append(buf, len, &pos, ",\"duration_s\":");
	append_json_number(buf, len, &pos, c->session_end_s - c->session_start_s);
	append(buf, len, &pos, ",\"cycles_done\":%d,\"zones\":[", cycles_done);
	for (int z = 0; z < cfg->n_zones; z++) {
		const struct zone_stats *st = &c->zone[z].stats;

		append(buf, len, &pos, "%s{\"name\":", z ? "," : "");
		append_json_string(buf, len, &pos, cfg->zones[z].name);
		append(buf, len, &pos, ",\"max_pad_c\":");
		append_json_number(buf, len, &pos, st->max_pad_c);
		append(buf, len, &pos, ",\"min_pad_c\":");
		append_json_number(buf, len, &pos, st->min_pad_c);
		append(buf, len, &pos, ",\"time_in_band_pct\":");
		append_json_number(buf, len, &pos,
				   st->ticks_running ? 100.0 * st->ticks_in_band / st->ticks_running : 0.0);
		append(buf, len, &pos, ",\"max_heatsink_c\":");
		append_json_number(buf, len, &pos, st->max_heatsink_c);
		append(buf, len, &pos, "}");
	}
	append(buf, len, &pos, "],\"fault\":");
	if (c->state == SESSION_FAULT && safety_latched(&c->safety)) {
		const struct fault *f = safety_latched_fault(&c->safety);

		append(buf, len, &pos, "{\"kind\":");
		append_json_string(buf, len, &pos, fault_kind_name(f->kind));
		append(buf, len, &pos, ",\"zone\":");
		if (f->zone >= 0 && f->zone < cfg->n_zones)
			append_json_string(buf, len, &pos, cfg->zones[f->zone].name);
		else
			append(buf, len, &pos, "null");
		append(buf, len, &pos, ",\"at_s\":");
		append_json_number(buf, len, &pos, f->at_s);
		append(buf, len, &pos, ",\"sensor\":");
		append_json_string(buf, len, &pos, f->sensor);
		append(buf, len, &pos, ",\"value\":");
		append_json_number(buf, len, &pos, f->value);
		append(buf, len, &pos, ",\"limit\":");
		append_json_number(buf, len, &pos, f->limit);
		append(buf, len, &pos, "}");
	} else {
		append(buf, len, &pos, "null");
	}
	append(buf, len, &pos, "}");
}
