/* SPDX-License-Identifier: MIT */
/* A session's CSV as an SVG. See plot.h. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "lib/duration.h"
#include "plot.h"

#define MAX_ZONES_PLOT  8
#define MAX_FIELDS      (3 + 5 * MAX_ZONES_PLOT + 1)
#define MAX_POINTS      1500    /* per curve: enough for a 2 h session at 5 s, light on a phone */
#define LINE_MAX_LEN    4096
#define OUTCOME_CHARS   78      /* a line of the outcome under the title, at 20 px */

/* The drawing, in the SVG's own units (the viewBox): it scales to any screen. */
#define VIEW_W          1000.0
#define VIEW_H          640.0
#define PLOT_X0         92.0
#define PLOT_X1         972.0
#define PLOT_Y0         170.0
#define PLOT_Y1         540.0
#define FONT            "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"

/* One colour per zone, told apart also by people who do not see red and green apart. */
static const char *const zone_colour[MAX_ZONES_PLOT] = {
	"#6a1b9a", "#00796b", "#e65100", "#37474f", "#ad1457", "#1565c0", "#827717", "#4e342e",
};

struct row {
	double t_s;
	char phase;             /* 'w', 'c', or 0 when not running */
	int cycle;
	double setpoint_c[MAX_ZONES_PLOT];
	double pad_c[MAX_ZONES_PLOT];
};

struct event {
	double t_s;
	char text[256];
};

struct session {
	char zone[MAX_ZONES_PLOT][40];
	int n_zones;
	int col_setpoint[MAX_ZONES_PLOT], col_pad[MAX_ZONES_PLOT];
	int col_t, col_phase, col_cycle, col_event;
	struct row *rows;
	int n_rows, cap_rows;
	struct event *events;
	int n_events, cap_events;
};

/* ---- reading the CSV ---- */

/* Split a CSV line in place (quotes as RFC 4180). Returns the number of fields. */
static int split_csv(char *line, char *fields[], int max)
{
	int n = 0;
	char *r = line, *w;

	while (n < max) {
		fields[n++] = w = r;
		if (*r == '"') {
			r++;
			for (;;) {
				if (*r == '\0')
					break;
				if (*r == '"' && r[1] == '"') {
					*w++ = '"';
					r += 2;
				} else if (*r == '"') {
					r++;
					break;
				} else {
					*w++ = *r++;
				}
			}
			while (*r && *r != ',')
				r++;
		} else {
			while (*r && *r != ',')
				*w++ = *r++;
		}
		if (*r != ',') {
			*w = '\0';
			break;
		}
		r++;
		*w = '\0';
	}
	return n;
}

static double field_num(char *fields[], int n, int col)
{
	char *end;
	double v;

	if (col < 0 || col >= n || fields[col][0] == '\0')
		return NAN;
	v = strtod(fields[col], &end);
	return end == fields[col] || *end != '\0' || !isfinite(v) ? NAN : v;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a > b && strcmp(s + a - b, tail) == 0;
}

static int read_header(struct session *s, char *line, char *err, size_t err_len)
{
	char *f[MAX_FIELDS];
	int n = split_csv(line, f, MAX_FIELDS);

	s->col_t = s->col_phase = s->col_cycle = s->col_event = -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(f[i], "t_s") == 0)
			s->col_t = i;
		else if (strcmp(f[i], "phase") == 0)
			s->col_phase = i;
		else if (strcmp(f[i], "cycle") == 0)
			s->col_cycle = i;
		else if (strcmp(f[i], "event") == 0)
			s->col_event = i;
		else if (ends_with(f[i], "_setpoint_c") && s->n_zones < MAX_ZONES_PLOT) {
			int z = s->n_zones++;

			snprintf(s->zone[z], sizeof(s->zone[z]), "%.*s", (int)(strlen(f[i]) - strlen("_setpoint_c")),
				 f[i]);
			s->col_setpoint[z] = i;
			s->col_pad[z] = -1;
		}
	}
	for (int z = 0; z < s->n_zones; z++) {
		char want[64];

		snprintf(want, sizeof(want), "%s_pad_c", s->zone[z]);
		for (int i = 0; i < n; i++)
			if (strcmp(f[i], want) == 0)
				s->col_pad[z] = i;
	}
	if (s->col_t != 0 || s->n_zones == 0) {
		snprintf(err, err_len, "not a session record (its first line is not t_s,phase,cycle,ZONE_setpoint_c,...)");
		return -1;
	}
	return 0;
}

static int add_row(struct session *s, char *line)
{
	char *f[MAX_FIELDS];
	int n = split_csv(line, f, MAX_FIELDS);
	double t_s = field_num(f, n, s->col_t);
	struct row *r;

	if (isnan(t_s))
		return 0;       /* a torn last line after a power cut */
	if (s->n_rows == s->cap_rows) {
		int cap = s->cap_rows ? s->cap_rows * 2 : 1024;
		struct row *nr = realloc(s->rows, (size_t)cap * sizeof(*nr));

		if (!nr)
			return -1;
		s->rows = nr;
		s->cap_rows = cap;
	}
	r = &s->rows[s->n_rows++];
	r->t_s = t_s;
	r->phase = 0;
	if (s->col_phase >= 0 && s->col_phase < n)
		r->phase = strcmp(f[s->col_phase], "warm") == 0 ? 'w' : strcmp(f[s->col_phase], "cool") == 0 ? 'c' : 0;
	r->cycle = (int)field_num(f, n, s->col_cycle);
	for (int z = 0; z < s->n_zones; z++) {
		r->setpoint_c[z] = field_num(f, n, s->col_setpoint[z]);
		r->pad_c[z] = field_num(f, n, s->col_pad[z]);
	}
	if (s->col_event >= 0 && s->col_event < n && f[s->col_event][0] != '\0') {
		if (s->n_events == s->cap_events) {
			int cap = s->cap_events ? s->cap_events * 2 : 16;
			struct event *ne = realloc(s->events, (size_t)cap * sizeof(*ne));

			if (!ne)
				return -1;
			s->events = ne;
			s->cap_events = cap;
		}
		s->events[s->n_events].t_s = t_s;
		snprintf(s->events[s->n_events].text, sizeof(s->events[0].text), "%s", f[s->col_event]);
		s->n_events++;
	}
	return 0;
}

/* ---- writing SVG ---- */

/* Text for an SVG element or attribute: & < > " escaped, control bytes dropped. */
static void put_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, out);
		}
	}
}

/*
 * text in up to max_lines lines of at most max_chars characters, broken
 * at blanks, the last one cut with "..." when it does not fit.
 */
static void put_wrapped(FILE *out, double x, double y, double line_h, int max_lines, size_t max_chars,
			const char *fill, const char *text)
{
	char line[256];
	const char *p = text;

	fprintf(out, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"22\" fill=\"%s\">", x, y, fill);
	for (int n = 0; n < max_lines && *p; n++) {
		size_t len = strlen(p), cut = len;

		if (len > max_chars) {
			cut = max_chars;
			while (cut > max_chars / 2 && p[cut] != ' ')
				cut--;
			if (n == max_lines - 1)
				cut = max_chars - 3;
		}
		snprintf(line, sizeof(line), "%.*s%s", (int)cut, p, n == max_lines - 1 && cut < len ? "..." : "");
		fprintf(out, "<tspan x=\"%.0f\" dy=\"%.0f\">", x, n ? line_h : 0.0);
		put_text(out, line);
		fputs("</tspan>", out);
		p += cut;
		while (*p == ' ')
			p++;
	}
	fputs("</text>\n", out);
}

struct scale {
	double t_max_s;
	double y_min_c, y_max_c;
};

static double px(const struct scale *sc, double t_s)
{
	return PLOT_X0 + (PLOT_X1 - PLOT_X0) * t_s / sc->t_max_s;
}

static double py(const struct scale *sc, double temp_c)
{
	return PLOT_Y1 - (PLOT_Y1 - PLOT_Y0) * (temp_c - sc->y_min_c) / (sc->y_max_c - sc->y_min_c);
}

/* A round step that gives about `want` ticks over span. */
static double nice_step(double span, double want, const double *steps, int n)
{
	for (int i = 0; i < n; i++)
		if (span / steps[i] <= want)
			return steps[i];
	return steps[n - 1];
}

/* One curve: a polyline per run of values (a missing reading breaks it), at most MAX_POINTS points. */
static void put_curve(FILE *out, const struct session *s, const struct scale *sc, int z, bool setpoint,
		      const char *cls)
{
	int stride = s->n_rows / MAX_POINTS + 1;
	bool open = false;

	for (int i = 0; i < s->n_rows; i++) {
		const struct row *r = &s->rows[i];
		double v = setpoint ? r->setpoint_c[z] : r->pad_c[z];
		bool last = i == s->n_rows - 1;

		/* Every stride-th point, the last one, and every edge of a gap or a step. */
		bool edge = i + 1 < s->n_rows &&
			    (isnan(setpoint ? s->rows[i + 1].setpoint_c[z] : s->rows[i + 1].pad_c[z]) ||
			     (setpoint && s->rows[i + 1].setpoint_c[z] != v));
		bool after_edge = i > 0 && (isnan(setpoint ? s->rows[i - 1].setpoint_c[z] : s->rows[i - 1].pad_c[z]) ||
					    (setpoint && s->rows[i - 1].setpoint_c[z] != v));

		if (isnan(v)) {
			if (open)
				fputs("\"/>\n", out);
			open = false;
			continue;
		}
		if (!(i % stride == 0 || last || edge || after_edge || !open))
			continue;
		if (!open) {
			fprintf(out, "<polyline class=\"%s\" stroke=\"%s\" points=\"", cls, zone_colour[z]);
			open = true;
		}
		fprintf(out, "%.1f,%.1f ", px(sc, r->t_s), py(sc, v));
	}
	if (open)
		fputs("\"/>\n", out);
}

/* "20261125T231500Z.csv" as local time, "2026-11-26 00:15"; "" when the name is not a stamp. */
static void start_time(const char *name, char *buf, size_t len)
{
	const char *base = strrchr(name, '/');
	struct tm tm;

	base = base ? base + 1 : name;
	memset(&tm, 0, sizeof(tm));
	buf[0] = '\0';
	const char *end = strptime(base, "%Y%m%dT%H%M%SZ", &tm);

	if (!end)
		return;
	time_t t = timegm(&tm);
	struct tm local;

	localtime_r(&t, &local);
	strftime(buf, len, "%Y-%m-%d %H:%M", &local);
}

static void fill_info(const struct session *s, struct plot_info *info, char *fault_desc, size_t desc_len)
{
	memset(info, 0, sizeof(*info));
	info->rows = s->n_rows;
	info->zones = s->n_zones;
	info->length_s = s->rows[s->n_rows - 1].t_s;
	info->fault_at_s = NAN;
	fault_desc[0] = '\0';
	for (int i = 0; i < s->n_events; i++) {
		const char *e = s->events[i].text;

		if (strncmp(e, "start ", 6) == 0)
			sscanf(e + 6, "%63s", info->program);
		if (strncmp(e, "end ", 4) == 0) {
			sscanf(e + 4, "%63[a-z]", info->result);
		}
		/* "end fault: DESC", or a fault recorded while the session went on. */
		if (strncmp(e, "end fault", 9) == 0 || strncmp(e, "fault", 5) == 0) {
			const char *colon = strchr(e, ':');

			if (isnan(info->fault_at_s)) {
				info->fault_at_s = s->events[i].t_s;
				snprintf(fault_desc, desc_len, "%s", colon ? colon + 2 : e);
			}
		}
	}
}

static void put_svg(FILE *out, const struct session *s, const char *name, const struct plot_info *info,
		    const char *fault_desc)
{
	static const double t_steps[] = { 60, 120, 300, 600, 900, 1200, 1800, 3600 };
	static const double c_steps[] = { 1, 2, 5, 10 };
	struct scale sc;
	char when[32], length[32], title[256];
	double lo = INFINITY, hi = -INFINITY;

	for (int i = 0; i < s->n_rows; i++)
		for (int z = 0; z < s->n_zones; z++) {
			const double v[2] = { s->rows[i].pad_c[z], s->rows[i].setpoint_c[z] };

			for (int k = 0; k < 2; k++)
				if (!isnan(v[k])) {
					lo = fmin(lo, v[k]);
					hi = fmax(hi, v[k]);
				}
		}
	if (!isfinite(lo)) {
		lo = 20;
		hi = 40;
	}
	double c_step = nice_step(hi - lo + 2, 10, c_steps, 4);

	sc.y_min_c = floor((lo - 1) / c_step) * c_step;
	sc.y_max_c = ceil((hi + 1) / c_step) * c_step;
	sc.t_max_s = fmax(info->length_s, 60.0);
	double t_step = nice_step(sc.t_max_s, 10, t_steps, 8);

	start_time(name, when, sizeof(when));
	duration_format(info->length_s, length, sizeof(length));
	snprintf(title, sizeof(title), "Session %s%s \xc2\xb7 program %s", when[0] ? "of " : "", when,
		 info->program[0] ? info->program : "unknown");

	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"100%%\" "
		"preserveAspectRatio=\"xMidYMid meet\" font-family=\"%s\" role=\"img\" "
		"aria-labelledby=\"title desc\">\n", VIEW_W, VIEW_H, FONT);
	fputs("<title id=\"title\">contrastd: ", out);
	put_text(out, name);
	fputs("</title>\n<desc id=\"desc\">Each pad's temperature (solid) and setpoint (dashed) over the "
	      "session, warm phases shaded red, cool phases blue", out);
	if (!isnan(info->fault_at_s))
		fputs(", the safety fault marked by a red line", out);
	fputs(".</desc>\n", out);
	fputs("<style>\n"
	      "  .pad { fill: none; stroke-width: 3; stroke-linejoin: round; stroke-linecap: round }\n"
	      "  .set { fill: none; stroke-width: 2; stroke-dasharray: 9 6; opacity: 0.85 }\n"
	      "  .grid { stroke: #c8c8c8; stroke-width: 1 }\n"
	      "  .axis { stroke: #333; stroke-width: 1.5 }\n"
	      "  .tick { font-size: 21px; fill: #333 }\n"
	      "  .label { font-size: 23px; fill: #222 }\n"
	      "</style>\n", out);
	fprintf(out, "<rect width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\"/>\n", VIEW_W, VIEW_H);

	/* Title and the outcome. */
	fprintf(out, "<text x=\"%.0f\" y=\"38\" font-size=\"28\" font-weight=\"bold\" fill=\"#111\">", PLOT_X0 - 70);
	put_text(out, title);
	fputs("</text>\n", out);
	char outcome[400];

	if (!isnan(info->fault_at_s)) {
		char at[32];

		snprintf(outcome, sizeof(outcome), "Ended by a safety fault after %s: %s",
			 duration_format(info->fault_at_s, at, sizeof(at)), fault_desc);
	} else if (info->result[0]) {
		snprintf(outcome, sizeof(outcome), "%c%s after %s", info->result[0] - 'a' + 'A', info->result + 1,
			 length);
	} else {
		snprintf(outcome, sizeof(outcome), "No end recorded after %s (still running, or the power was cut)",
			 length);
	}
	put_wrapped(out, PLOT_X0 - 70, 70, 24, 2, OUTCOME_CHARS, isnan(info->fault_at_s) ? "#333" : "#b71c1c",
		    outcome);

	/* Phases shaded: a band per run of rows in the same phase. */
	fputs("<g>\n", out);
	for (int i = 0; i < s->n_rows;) {
		int j = i;

		while (j + 1 < s->n_rows && s->rows[j + 1].phase == s->rows[i].phase &&
		       s->rows[j + 1].cycle == s->rows[i].cycle)
			j++;
		double t_end = j + 1 < s->n_rows ? s->rows[j + 1].t_s : s->rows[j].t_s;

		if (s->rows[i].phase) {
			double x0 = px(&sc, s->rows[i].t_s), x1 = px(&sc, t_end);

			fprintf(out, "<rect x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"%.0f\" fill=\"%s\">"
				"<title>%s phase, cycle %d</title></rect>\n", x0, PLOT_Y0, fmax(x1 - x0, 0.5),
				PLOT_Y1 - PLOT_Y0, s->rows[i].phase == 'w' ? "#fbe3d6" : "#d9e9f7",
				s->rows[i].phase == 'w' ? "warm" : "cool", s->rows[i].cycle);
		}
		i = j + 1;
	}
	fputs("</g>\n", out);

	/* Grid, ticks and axes. */
	fputs("<g>\n", out);
	for (double c = sc.y_min_c; c <= sc.y_max_c + 1e-9; c += c_step) {
		fprintf(out, "<line class=\"grid\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\"/>\n", PLOT_X0,
			PLOT_X1, py(&sc, c), py(&sc, c));
		fprintf(out, "<text class=\"tick\" x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">%.0f</text>\n",
			PLOT_X0 - 8, py(&sc, c) + 6, c);
	}
	for (double t = 0; t <= sc.t_max_s + 1e-9; t += t_step) {
		fprintf(out, "<line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\"/>\n", px(&sc, t),
			px(&sc, t), PLOT_Y0, PLOT_Y1);
		fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%.0f</text>\n",
			px(&sc, t), PLOT_Y1 + 28, t / 60.0);
	}
	fprintf(out, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\"/>\n", PLOT_X0, PLOT_X1,
		PLOT_Y1, PLOT_Y1);
	fprintf(out, "<line class=\"axis\" x1=\"%.0f\" x2=\"%.0f\" y1=\"%.0f\" y2=\"%.0f\"/>\n", PLOT_X0, PLOT_X0,
		PLOT_Y0, PLOT_Y1);
	fprintf(out, "<text class=\"label\" x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">time since the start "
		"(minutes)</text>\n", (PLOT_X0 + PLOT_X1) / 2, PLOT_Y1 + 62);
	fprintf(out, "<text class=\"label\" transform=\"translate(30 %.0f) rotate(-90)\" text-anchor=\"middle\">"
		"temperature (\xc2\xb0""C)</text>\n", (PLOT_Y0 + PLOT_Y1) / 2);
	fputs("</g>\n", out);

	/* The curves: setpoints under the pads. */
	for (int z = 0; z < s->n_zones; z++) {
		fprintf(out, "<g id=\"zone-%d\"><title>", z);
		put_text(out, s->zone[z]);
		fputs(" pad</title>\n", out);
		put_curve(out, s, &sc, z, true, "set");
		put_curve(out, s, &sc, z, false, "pad");
		fputs("</g>\n", out);
	}

	/* The fault, where it happened: a red line across the plot and its time. */
	if (!isnan(info->fault_at_s)) {
		double x = px(&sc, info->fault_at_s);
		char at[32];
		bool right_half = x > (PLOT_X0 + PLOT_X1) / 2;

		fprintf(out, "<g id=\"fault\"><title>safety fault: ");
		put_text(out, fault_desc);
		fprintf(out, "</title>\n<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"#d50000\" "
			"stroke-width=\"3\"/>\n", x, x, PLOT_Y0 - 4, PLOT_Y1);
		fprintf(out, "<path d=\"M %.1f %.0f l -9 -14 h 18 z\" fill=\"#d50000\"/>\n", x, PLOT_Y0 - 2);
		/* The pad the fault names ("... in zone left: ..."), ringed at its last reading. */
		const char *in_zone = strstr(fault_desc, "zone ");

		for (int z = 0; in_zone && z < s->n_zones; z++) {
			size_t n = strlen(s->zone[z]);

			if (strncmp(in_zone + 5, s->zone[z], n) != 0 || (in_zone[5 + n] != ':' && in_zone[5 + n] != ' ' &&
									   in_zone[5 + n] != '\0'))
				continue;
			for (int i = s->n_rows - 1; i >= 0; i--) {
				if (s->rows[i].t_s <= info->fault_at_s + 1e-9 && !isnan(s->rows[i].pad_c[z])) {
					fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"9\" fill=\"none\" "
						"stroke=\"#d50000\" stroke-width=\"3\"/>\n", px(&sc, s->rows[i].t_s),
						py(&sc, s->rows[i].pad_c[z]));
					break;
				}
			}
		}
		fprintf(out, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"20\" font-weight=\"bold\" fill=\"#d50000\" "
			"text-anchor=\"%s\">fault at %s</text>\n</g>\n", right_half ? x - 14 : x + 14, PLOT_Y0 + 24,
			right_half ? "end" : "start", duration_format(info->fault_at_s, at, sizeof(at)));
	}

	/* The legend: a row above the plot. */
	double lx = PLOT_X0 - 70;

	fputs("<g font-size=\"21\" fill=\"#222\">\n", out);
	for (int z = 0; z < s->n_zones; z++) {
		fprintf(out, "<line class=\"pad\" stroke=\"%s\" x1=\"%.0f\" x2=\"%.0f\" y1=\"136\" y2=\"136\"/>",
			zone_colour[z], lx, lx + 30);
		fprintf(out, "<text x=\"%.0f\" y=\"142\">", lx + 38);
		put_text(out, s->zone[z]);
		fputs(" pad</text>\n", out);
		lx += 38 + 12.5 * ((double)strlen(s->zone[z]) + 4) + 22;
	}
	fprintf(out, "<line class=\"set\" stroke=\"#555\" x1=\"%.0f\" x2=\"%.0f\" y1=\"136\" y2=\"136\"/>"
		"<text x=\"%.0f\" y=\"142\">setpoint</text>\n", lx, lx + 30, lx + 38);
	lx += 38 + 12.0 * 8 + 22;
	fprintf(out, "<rect x=\"%.0f\" y=\"126\" width=\"26\" height=\"20\" fill=\"#fbe3d6\" stroke=\"#ccc\"/>"
		"<text x=\"%.0f\" y=\"142\">warm</text>\n", lx, lx + 32);
	lx += 32 + 12.0 * 4 + 18;
	fprintf(out, "<rect x=\"%.0f\" y=\"126\" width=\"26\" height=\"20\" fill=\"#d9e9f7\" stroke=\"#ccc\"/>"
		"<text x=\"%.0f\" y=\"142\">cool</text>\n", lx, lx + 32);
	fputs("</g>\n", out);
	fputs("<text x=\"972\" y=\"630\" font-size=\"14\" fill=\"#777\" text-anchor=\"end\">", out);
	put_text(out, name);
	fputs(" \xc2\xb7 contrastctl plot \xc2\xb7 not a medical device</text>\n</svg>\n", out);
}

int plot_session_svg(FILE *in, const char *name, FILE *out, struct plot_info *info, char *err,
		     size_t err_len)
{
	struct session s;
	char line[LINE_MAX_LEN], fault_desc[256];
	int rc = -1;

	memset(&s, 0, sizeof(s));
	if (!fgets(line, sizeof(line), in)) {
		snprintf(err, err_len, "empty: not a session record");
		return -1;
	}
	line[strcspn(line, "\r\n")] = '\0';
	if (read_header(&s, line, err, err_len) < 0)
		return -1;
	while (fgets(line, sizeof(line), in)) {
		/* A line without its newline at the end of the file was torn by a power cut. */
		if (!strchr(line, '\n') && !feof(in))
			continue;
		if (!strchr(line, '\n'))
			break;
		line[strcspn(line, "\r\n")] = '\0';
		if (add_row(&s, line) < 0) {
			snprintf(err, err_len, "out of memory");
			goto out;
		}
	}
	if (s.n_rows == 0) {
		snprintf(err, err_len, "no rows: the session recorded nothing");
		goto out;
	}
	fill_info(&s, info, fault_desc, sizeof(fault_desc));
	put_svg(out, &s, name, info, fault_desc);
	if (ferror(out)) {
		snprintf(err, err_len, "cannot write the SVG");
		goto out;
	}
	rc = 0;
out:
	free(s.rows);
	free(s.events);
	return rc;
}
