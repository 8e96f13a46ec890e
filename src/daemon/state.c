/* SPDX-License-Identifier: MIT */
/* What survives a restart, in state_dir. See state.h. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/safefile.h"
#include "state.h"

#define DIR_MODE        0750
#define FILE_MODE       0640
#define FILE_MAX        STATE_FILE_MAX
#define FORMAT_VERSION  1

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (why && len > 0) {
		va_start(ap, fmt);
		vsnprintf(why, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* ---- CRC-32 (IEEE 802.3, as zlib's), bit by bit: the files are small ---- */

static uint32_t crc32_of(const char *buf, size_t len)
{
	uint32_t crc = 0xffffffffu;

	for (size_t i = 0; i < len; i++) {
		crc ^= (unsigned char)buf[i];
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

/* ---- the directory and whole files ---- */

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Replace dir/name with text (its "end CRC" line is added here): a
 * temporary file, fsync, rename, fsync of the directory.
 */
static int write_state(const char *dir, const char *name, char *text, size_t len, size_t cap, char *why,
		       size_t why_len)
{
	char tmp[64];
	int n = snprintf(text + len, cap - len, "end %08x\n", (unsigned)crc32_of(text, len));

	if (n < 0 || (size_t)n >= cap - len)
		return fail(why, why_len, "%s/%s: the state does not fit in %zu bytes", dir, name, cap);
	len += (size_t)n;

	/* Made when missing; refused when others may write to it (lib/safefile.h). */
	int dfd = safefile_open_dir(dir, DIR_MODE, why, why_len);

	if (dfd < 0)
		return -1;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);
	unlinkat(dfd, tmp, 0);          /* left by a cut during an earlier write */
	int fd = safefile_openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL, FILE_MODE);

	if (fd < 0) {
		fail(why, why_len, "cannot create %s/%s: %s", dir, tmp, safefile_strerror(errno));
		close(dfd);
		return -1;
	}
	if (write_all(fd, text, len) < 0 || fsync(fd) < 0) {
		fail(why, why_len, "cannot write %s/%s: %s", dir, tmp, strerror(errno));
		close(fd);
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return -1;
	}
	if (close(fd) < 0 || renameat(dfd, tmp, dfd, name) < 0 || fsync(dfd) < 0) {
		fail(why, why_len, "cannot put %s/%s in place: %s", dir, name, strerror(errno));
		unlinkat(dfd, tmp, 0);
		close(dfd);
		return -1;
	}
	close(dfd);
	return 0;
}

/*
 * Read dir/name into buf (NUL-terminated) and check its first line
 * (magic and version) and its CRC; the "end" line is cut off. Returns 1
 * when there is no such file, 0 when read, -1 when it cannot be read.
 */
static int read_state(const char *dir, const char *name, const char *magic, char *buf, size_t cap,
		      char *why, size_t why_len)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0) {
		if (errno == ENOENT)
			return 1;
		return fail(why, why_len, "cannot open %s: %s", dir, strerror(errno));
	}
	/* A directory others may write to could hold anything they put there: not trusted. */
	if (safefile_check_dir(dfd, dir, why, why_len) < 0) {
		close(dfd);
		return -1;
	}
	int fd = safefile_openat(dfd, name, O_RDONLY, 0);
	int e = errno;

	close(dfd);
	if (fd < 0 && e == ENOENT)
		return 1;
	if (fd < 0)
		return fail(why, why_len, "cannot open %s/%s: %s", dir, name, safefile_strerror(e));
	size_t len = 0;
	int e2;

	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			e2 = errno;
			close(fd);
			return fail(why, why_len, "cannot read %s/%s: %s", dir, name, strerror(e2));
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap - 1) {
			close(fd);
			return fail(why, why_len, "%s/%s is longer than %zu bytes", dir, name, cap - 1);
		}
	}
	close(fd);
	buf[len] = '\0';

	/* The last line: "end CRC". */
	if (len < 1 || buf[len - 1] != '\n')
		return fail(why, why_len, "%s/%s is cut short (no end line)", dir, name);
	buf[len - 1] = '\0';
	char *end = strrchr(buf, '\n');
	size_t body = end ? (size_t)(end - buf) + 1 : 0;
	unsigned crc;
	char extra;

	if (sscanf(buf + body, "end %8x%c", &crc, &extra) != 1)
		return fail(why, why_len, "%s/%s is cut short (no end line)", dir, name);
	if (crc != crc32_of(buf, body))
		return fail(why, why_len, "%s/%s is damaged (its checksum does not match)", dir, name);
	buf[body] = '\0';

	size_t mlen = strlen(magic);
	int version;

	if (strncmp(buf, magic, mlen) != 0 || sscanf(buf + mlen, " %d", &version) != 1)
		return fail(why, why_len, "%s/%s is not a %s file", dir, name, magic);
	if (version != FORMAT_VERSION)
		return fail(why, why_len, "%s/%s has version %d; this contrastd reads version %d", dir, name,
			    version, FORMAT_VERSION);
	return 0;
}

/* ---- parsing lines ---- */

#define MAX_WORDS (4 + 3 * MAX_ZONES)

/* Split line into words at blanks (in place). Returns the count. */
static int split(char *line, char *w[], int max)
{
	int n = 0;
	char *save = NULL;

	for (char *t = strtok_r(line, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static bool num(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return end != s && *end == '\0' && errno == 0 && isfinite(*v);
}

static bool name_word(const char *s, char *out)
{
	size_t n = strlen(s);

	if (n == 0 || n >= NAME_LEN)
		return false;
	memcpy(out, s, n + 1);
	return true;
}

/* "-" for an empty text field. */
static const char *word_or_dash(const char *s)
{
	return s && s[0] ? s : "-";
}

static void from_dash(const char *w, char *out, size_t len)
{
	snprintf(out, len, "%s", strcmp(w, "-") == 0 ? "" : w);
}

/*
 * Walk the lines after the first; fn parses one (words split) and
 * returns false when it does not. Returns 0, or -1 naming the line.
 */
typedef bool (*line_fn)(void *arg, char *w[], int n);

static int each_line(char *buf, const char *dir, const char *name, line_fn fn, void *arg, char *why,
		     size_t why_len)
{
	char *save = NULL;
	int lineno = 0;

	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *w[MAX_WORDS + 1];

		if (++lineno == 1)
			continue;
		int n = split(line, w, MAX_WORDS);

		if (n == 0)
			continue;
		if (n > MAX_WORDS || !fn(arg, w, n))
			return fail(why, why_len, "%s/%s:%d: a line this contrastd does not understand", dir,
				    name, lineno);
	}
	return 0;
}

static char file_buf[FILE_MAX];

/* ---- the dose ledger ---- */

static bool ledger_line(void *arg, char *w[], int n)
{
	struct dose_ledger *l = arg;
	struct dose_entry *e;
	double zones;

	if (strcmp(w[0], "session") != 0 || n < 4 || l->n >= DOSE_LEDGER_MAX)
		return false;
	e = &l->e[l->n];
	memset(e, 0, sizeof(*e));
	if (!num(w[1], &e->t_s) || !num(w[3], &zones) || zones < 0 || zones > MAX_ZONES ||
	    zones != floor(zones) || n != 4 + 3 * (int)zones)
		return false;
	if (strcmp(w[2], "open") == 0)
		e->open = true;
	else if (strcmp(w[2], "closed") != 0)
		return false;
	e->n_zones = (int)zones;
	for (int z = 0; z < e->n_zones; z++) {
		char **zw = &w[4 + 3 * z];

		if (!name_word(zw[0], e->zone[z]) || !num(zw[1], &e->dose[z].heat_min) ||
		    !num(zw[2], &e->dose[z].cold_min) || e->dose[z].heat_min < 0 || e->dose[z].cold_min < 0)
			return false;
	}
	l->n++;
	return true;
}

int state_load_ledger(const char *dir, struct dose_ledger *l, char *why, size_t why_len)
{
	memset(l, 0, sizeof(*l));
	int rc = read_state(dir, STATE_LEDGER, "contrastd-dose-ledger", file_buf, sizeof(file_buf), why, why_len);

	if (rc == 0)
		rc = each_line(file_buf, dir, STATE_LEDGER, ledger_line, l, why, why_len);
	if (rc < 0) {
		memset(l, 0, sizeof(*l));
		l->unreadable = true;
		return -1;
	}
	return 0;
}

int state_save_ledger_in(const char *dir, const struct dose_ledger *l, char *buf, size_t cap, char *why,
			 size_t why_len)
{
	size_t len = 0;
	int n = snprintf(buf, cap, "contrastd-dose-ledger %d\n", FORMAT_VERSION);

	len = (size_t)n;
	for (int i = 0; i < l->n && len < cap; i++) {
		const struct dose_entry *e = &l->e[i];

		len += (size_t)snprintf(buf + len, cap - len, "session %.3f %s %d", e->t_s,
					e->open ? "open" : "closed", e->n_zones);
		for (int z = 0; z < e->n_zones && len < cap; z++)
			len += (size_t)snprintf(buf + len, cap - len, " %s %.17g %.17g", e->zone[z],
						e->dose[z].heat_min, e->dose[z].cold_min);
		if (len < cap)
			len += (size_t)snprintf(buf + len, cap - len, "\n");
	}
	if (len >= cap)
		return fail(why, why_len, "%s/%s: the ledger does not fit in %zu bytes", dir, STATE_LEDGER, cap);
	return write_state(dir, STATE_LEDGER, buf, len, cap, why, why_len);
}

int state_save_ledger(const char *dir, const struct dose_ledger *l, char *why, size_t why_len)
{
	return state_save_ledger_in(dir, l, file_buf, sizeof(file_buf), why, why_len);
}

/* ---- the latch ---- */

struct latch_parse {
	struct fault *f;
	const char *const *names;
	int n_zones;
	bool seen;
};

static bool latch_line(void *arg, char *w[], int n)
{
	struct latch_parse *lp = arg;
	struct fault *f = lp->f;
	double wall_s;

	if (strcmp(w[0], "fault") != 0 || n != 9 || lp->seen)
		return false;
	memset(f, 0, sizeof(*f));
	f->kind = fault_kind_from_name(w[1]);
	if (f->kind == FAULT_NONE)
		return false;
	f->zone = -1;
	if (strcmp(w[2], "-") != 0)
		for (int z = 0; z < lp->n_zones; z++)
			if (lp->names[z] && strcmp(lp->names[z], w[2]) == 0)
				f->zone = z;
	from_dash(w[3], f->sensor, sizeof(f->sensor));
	from_dash(w[4], f->detail, sizeof(f->detail));
	if (!num(w[5], &f->value) || !num(w[6], &f->limit) || !num(w[7], &f->at_s) || !num(w[8], &wall_s))
		return false;
	lp->seen = true;
	return true;
}

int state_load_latch(const char *dir, const char *const names[], int n_zones, struct fault *f, bool *present,
		     char *why, size_t why_len)
{
	struct latch_parse lp = { .f = f, .names = names, .n_zones = n_zones };
	int rc = read_state(dir, STATE_LATCH, "contrastd-latch", file_buf, sizeof(file_buf), why, why_len);

	memset(f, 0, sizeof(*f));
	f->zone = -1;
	*present = rc != 1;
	if (rc == 1)
		return 0;
	if (rc == 0) {
		rc = each_line(file_buf, dir, STATE_LATCH, latch_line, &lp, why, why_len);
		if (rc == 0 && !lp.seen)
			rc = fail(why, why_len, "%s/%s holds no fault", dir, STATE_LATCH);
	}
	if (rc < 0) {
		memset(f, 0, sizeof(*f));
		f->kind = FAULT_LATCH_UNREADABLE;
		f->zone = -1;
		snprintf(f->sensor, sizeof(f->sensor), "state");
		return -1;
	}
	return 0;
}

int state_save_latch(const char *dir, const struct fault *f, const char *const names[], int n_zones,
		     double wall_s, char *why, size_t why_len)
{
	size_t cap = sizeof(file_buf);
	const char *zone = f->zone >= 0 && f->zone < n_zones ? names[f->zone] : "-";
	int n = snprintf(file_buf, cap, "contrastd-latch %d\nfault %s %s %s %s %.17g %.17g %.17g %.3f\n",
			 FORMAT_VERSION, fault_kind_name(f->kind), word_or_dash(zone), word_or_dash(f->sensor),
			 word_or_dash(f->detail), f->value, f->limit, f->at_s, wall_s);

	if (n < 0 || (size_t)n >= cap)
		return fail(why, why_len, "%s/%s: the latch does not fit", dir, STATE_LATCH);
	return write_state(dir, STATE_LATCH, file_buf, (size_t)n, cap, why, why_len);
}

int state_clear_latch(const char *dir, char *why, size_t why_len)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return errno == ENOENT ? 0 : fail(why, why_len, "cannot open %s: %s", dir, strerror(errno));
	if (unlinkat(dfd, STATE_LATCH, 0) < 0 && errno != ENOENT) {
		int e = errno;

		close(dfd);
		return fail(why, why_len, "cannot remove %s/%s: %s", dir, STATE_LATCH, strerror(e));
	}
	if (fsync(dfd) < 0) {
		int e = errno;

		close(dfd);
		return fail(why, why_len, "fsync %s: %s", dir, strerror(e));
	}
	close(dfd);
	return 0;
}

/* ---- the lockout ---- */

static bool event_words(char *w[], struct lockout_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->kind = fault_kind_from_name(w[1]);
	if (!num(w[0], &ev->t_s) || ev->kind == FAULT_NONE)
		return false;
	if (strcmp(w[2], "-") != 0 && !name_word(w[2], ev->zone))
		return false;
	return true;
}

static bool lockout_line(void *arg, char *w[], int n)
{
	struct lockout *lo = arg;
	double count, full;

	if (strcmp(w[0], "fault") == 0 && n == 4) {
		if (lo->n >= LOCKOUT_HISTORY_MAX)
			return false;
		return event_words(&w[1], &lo->ev[lo->n++]);
	}
	if (strcmp(w[0], "locked") == 0 && n == 6) {
		if (!event_words(&w[1], &lo->cause) || !num(w[4], &count) || !num(w[5], &full))
			return false;
		lo->locked = true;
		lo->count = (int)count;
		lo->full = full != 0.0;
		return true;
	}
	if (strcmp(w[0], "cleared") == 0 && n >= 2) {
		if (!num(w[1], &lo->cleared_s))
			return false;
		lo->cleared_by[0] = '\0';
		for (int i = 2; i < n; i++) {
			size_t used = strlen(lo->cleared_by);

			snprintf(lo->cleared_by + used, sizeof(lo->cleared_by) - used, "%s%s", i > 2 ? " " : "",
				 w[i]);
		}
		return true;
	}
	return false;
}

int state_load_lockout(const char *dir, struct lockout *lo, char *why, size_t why_len)
{
	lockout_init(lo);
	int rc = read_state(dir, STATE_LOCKOUT, "contrastd-lockout", file_buf, sizeof(file_buf), why, why_len);

	if (rc == 0)
		rc = each_line(file_buf, dir, STATE_LOCKOUT, lockout_line, lo, why, why_len);
	if (rc < 0) {
		lockout_init(lo);
		lo->unreadable = true;
		return -1;
	}
	return 0;
}

int state_save_lockout(const char *dir, const struct lockout *lo, char *why, size_t why_len)
{
	size_t cap = sizeof(file_buf);
	size_t len = (size_t)snprintf(file_buf, cap, "contrastd-lockout %d\n", FORMAT_VERSION);

	for (int i = 0; i < lo->n && len < cap; i++)
		len += (size_t)snprintf(file_buf + len, cap - len, "fault %.3f %s %s\n", lo->ev[i].t_s,
					fault_kind_name(lo->ev[i].kind), word_or_dash(lo->ev[i].zone));
	if (lo->locked && len < cap)
		len += (size_t)snprintf(file_buf + len, cap - len, "locked %.3f %s %s %d %d\n", lo->cause.t_s,
					fault_kind_name(lo->cause.kind), word_or_dash(lo->cause.zone), lo->count,
					lo->full ? 1 : 0);
	if (lo->cleared_s > 0.0 && len < cap) {
		char who[sizeof(lo->cleared_by)];

		/* One line: no newline in who. */
		snprintf(who, sizeof(who), "%s", lo->cleared_by);
		for (char *p = who; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		len += (size_t)snprintf(file_buf + len, cap - len, "cleared %.3f %s\n", lo->cleared_s, who);
	}
	if (len >= cap)
		return fail(why, why_len, "%s/%s: the lockout does not fit", dir, STATE_LOCKOUT);
	return write_state(dir, STATE_LOCKOUT, file_buf, len, cap, why, why_len);
}

/* ---- calibration ---- */

void state_thermistor_id(const struct thermistor_params *t, char *buf, size_t len)
{
	if (t->has_sh)
		snprintf(buf, len, "sh=%.9g,%.9g,%.9g;series=%.9g;supply_mv=%.9g;to=%s", t->sh_a, t->sh_b, t->sh_c,
			 t->series_ohm, t->supply_mv, t->ntc_to == NTC_TO_SUPPLY ? "supply" : "ground");
	else
		snprintf(buf, len, "beta=%.9g;r25=%.9g;series=%.9g;supply_mv=%.9g;to=%s", t->beta, t->r25_ohm,
			 t->series_ohm, t->supply_mv, t->ntc_to == NTC_TO_SUPPLY ? "supply" : "ground");
}

struct state_cal_entry *state_cal_find(struct state_calibration *c, const char *zone, int which)
{
	for (int i = 0; i < c->n; i++)
		if (c->e[i].which == which && strcmp(c->e[i].zone, zone) == 0)
			return &c->e[i];
	return NULL;
}

struct state_cal_entry *state_cal_slot(struct state_calibration *c, const char *zone, int which)
{
	struct state_cal_entry *e = state_cal_find(c, zone, which);

	if (e || c->n >= STATE_CAL_MAX)
		return e;
	e = &c->e[c->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->zone, sizeof(e->zone), "%s", zone);
	e->which = which;
	return e;
}

static const char *which_name(int which)
{
	return which ? "pad2" : "pad";
}

static bool cal_line(void *arg, char *w[], int n)
{
	struct state_calibration *c = arg;
	struct state_cal_entry *e;
	char zone[NAME_LEN];
	int which;

	if (strcmp(w[0], "thermistor") == 0 && n == 2) {
		snprintf(c->thermistor, sizeof(c->thermistor), "%s", w[1]);
		return true;
	}
	if (n < 3 || !name_word(w[1], zone))
		return false;
	if (strcmp(w[2], "pad") == 0)
		which = 0;
	else if (strcmp(w[2], "pad2") == 0)
		which = 1;
	else
		return false;
	e = state_cal_slot(c, zone, which);
	if (!e)
		return false;
	if (strcmp(w[0], "sensor") == 0 && n == 9) {
		struct cal_sensor *s = &e->cal;

		s->calibrated = true;
		return num(w[3], &s->gain) && num(w[4], &s->offset) && num(w[5], &s->from[0].reading_c) &&
		       num(w[6], &s->from[0].reference_c) && num(w[7], &s->from[1].reading_c) &&
		       num(w[8], &s->from[1].reference_c) && s->gain >= CAL_GAIN_MIN && s->gain <= CAL_GAIN_MAX;
	}
	if (strcmp(w[0], "point") == 0 && n == 5) {
		e->cal.pending = true;
		return num(w[3], &e->cal.point.reading_c) && num(w[4], &e->cal.point.reference_c);
	}
	return false;
}

int state_load_calibration(const char *dir, struct state_calibration *c, char *why, size_t why_len)
{
	memset(c, 0, sizeof(*c));
	int rc = read_state(dir, STATE_CALIBRATION, "contrastd-calibration", file_buf, sizeof(file_buf), why,
			    why_len);

	if (rc == 0)
		rc = each_line(file_buf, dir, STATE_CALIBRATION, cal_line, c, why, why_len);
	if (rc < 0) {
		memset(c, 0, sizeof(*c));
		c->unreadable = true;
		return -1;
	}
	return 0;
}

int state_save_calibration(const char *dir, const struct state_calibration *c, char *why, size_t why_len)
{
	size_t cap = sizeof(file_buf);
	size_t len = (size_t)snprintf(file_buf, cap, "contrastd-calibration %d\nthermistor %s\n", FORMAT_VERSION,
				      c->thermistor[0] ? c->thermistor : "-");

	for (int i = 0; i < c->n && len < cap; i++) {
		const struct state_cal_entry *e = &c->e[i];
		const struct cal_sensor *s = &e->cal;

		if (s->calibrated)
			len += (size_t)snprintf(file_buf + len, cap - len,
						"sensor %s %s %.17g %.17g %.17g %.17g %.17g %.17g\n", e->zone,
						which_name(e->which), s->gain, s->offset, s->from[0].reading_c,
						s->from[0].reference_c, s->from[1].reading_c, s->from[1].reference_c);
		if (s->pending && len < cap)
			len += (size_t)snprintf(file_buf + len, cap - len, "point %s %s %.17g %.17g\n", e->zone,
						which_name(e->which), s->point.reading_c, s->point.reference_c);
	}
	if (len >= cap)
		return fail(why, why_len, "%s/%s: the calibration does not fit", dir, STATE_CALIBRATION);
	return write_state(dir, STATE_CALIBRATION, file_buf, len, cap, why, why_len);
}
