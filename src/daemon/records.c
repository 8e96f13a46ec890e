/* SPDX-License-Identifier: MIT */
/* Session records: a CSV per session and sessions.jsonl. See records.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/json_out.h"
#include "lib/strbuf.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "records.h"
#include "report.h"

#define DIR_MODE        0750
#define FILE_MODE       0640
#define JSONL_NAME      "sessions.jsonl"
#define SESSIONS_DIR    "sessions"
#define STAMP_LEN       16      /* "20261125T231500Z" */
#define MAX_SUFFIX      99      /* sessions started in the same second */

/* ---- small helpers ---- */

/* Write everything or fail (EINTR and short writes retried). */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* mkdir -p, each missing component with mode. Returns 0 or -1 with errno. */
static int make_dirs(const char *path, mode_t mode)
{
	char tmp[PATH_LEN + 16];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		char saved = tmp[i];

		tmp[i] = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		tmp[i] = saved;
	}
	struct stat st;

	if (stat(path, &st) < 0)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static void sessions_dir(const struct records *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" SESSIONS_DIR, r->dir);
}

static int ensure_dirs(struct records *r)
{
	char path[PATH_LEN + 16];

	sessions_dir(r, path, sizeof(path));
	if (make_dirs(path, DIR_MODE) < 0) {
		log_err("records: cannot create %s: %s; this session is not recorded", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* So that a new directory entry survives a power cut. */
static void sync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		log_warning("records: open %s to sync it: %s", path, strerror(errno));
		return;
	}
	if (fsync(fd) < 0)
		log_warning("records: fsync %s: %s", path, strerror(errno));
	close(fd);
}

/* ---- setup ---- */

int records_init(struct records *r, const char *state_dir, int keep_sessions)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	records_reconfigure(r, state_dir, keep_sessions);
	return ensure_dirs(r);
}

void records_reconfigure(struct records *r, const char *state_dir, int keep_sessions)
{
	snprintf(r->dir, sizeof(r->dir), "%s", state_dir);
	r->keep_sessions = keep_sessions >= 1 ? keep_sessions : 1;
}

/* ---- pruning ---- */

/*
 * A session CSV's name: STAMP.csv or STAMP-N.csv. Returns the suffix
 * number (0 without one), or -1 for any other name (left alone).
 */
static int session_file_suffix(const char *name)
{
	size_t len = strlen(name);

	if (len < STAMP_LEN + 4 || strcmp(name + len - 4, ".csv") != 0)
		return -1;
	for (int i = 0; i < STAMP_LEN; i++) {
		char ch = name[i];
		bool ok = i == 8 ? ch == 'T' : i == 15 ? ch == 'Z' : isdigit((unsigned char)ch);

		if (!ok)
			return -1;
	}
	if (len == STAMP_LEN + 4)
		return 0;
	if (name[STAMP_LEN] != '-')
		return -1;
	int n = 0;

	for (size_t i = STAMP_LEN + 1; i < len - 4; i++) {
		if (!isdigit((unsigned char)name[i]) || n > 1000)
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n > 0 ? n : -1;
}

/* Older first: by the stamp, then by the suffix. */
static bool older(const char *a, int a_suffix, const char *b, int b_suffix)
{
	int cmp = strncmp(a, b, STAMP_LEN);

	return cmp < 0 || (cmp == 0 && a_suffix < b_suffix);
}

/*
 * Delete the oldest CSVs until at most keep - 1 remain, making room for
 * the one about to be made. Scans the directory once per deletion:
 * keep_sessions is small and this runs once per session, and it needs
 * no list in memory.
 */
static void prune(struct records *r)
{
	char dir_path[PATH_LEN + 16];

	sessions_dir(r, dir_path, sizeof(dir_path));
	DIR *dir = opendir(dir_path);

	if (!dir) {
		log_err("records: opendir %s: %s; old sessions not pruned", dir_path, strerror(errno));
		return;
	}
	for (;;) {
		char oldest[256] = "";
		int oldest_suffix = 0, count = 0;
		struct dirent *de;

		rewinddir(dir);
		errno = 0;
		while ((de = readdir(dir)) != NULL) {
			int suffix = session_file_suffix(de->d_name);

			if (suffix < 0)
				continue;
			count++;
			if (!oldest[0] || older(de->d_name, suffix, oldest, oldest_suffix)) {
				snprintf(oldest, sizeof(oldest), "%s", de->d_name);
				oldest_suffix = suffix;
			}
		}
		if (errno) {
			log_err("records: readdir %s: %s; old sessions not pruned", dir_path,
				strerror(errno));
			break;
		}
		if (count <= r->keep_sessions - 1 || !oldest[0])
			break;
		if (unlinkat(dirfd(dir), oldest, 0) < 0) {
			/* Stop: trying again would find the same file. */
			log_err("records: removing %s/%s: %s; old sessions not pruned", dir_path, oldest,
				strerror(errno));
			break;
		}
		log_info("records: removed %s/%s (keep_sessions = %d)", dir_path, oldest,
			 r->keep_sessions);
	}
	closedir(dir);
}

/* ---- rows ---- */

static void add_value(char *buf, size_t len, size_t *pos, double v, int decimals)
{
	if (isfinite(v))
		strbuf_appendf(buf, len, pos, ",%.*f", decimals, fabs(v) < 0.5 * pow(10.0, -decimals) ? 0.0 : v);
	else
		strbuf_appendf(buf, len, pos, ",");
}

static double reading_c(const struct reading *rd)
{
	return rd->status == READING_OK ? rd->temp_c : NAN;
}

/* Commas, quotes and line ends would break the row: quote the CSV way, line ends become blanks. */
static void add_csv_text(char *buf, size_t len, size_t *pos, const char *text)
{
	bool quote = strpbrk(text, ",\"\r\n") != NULL;

	if (quote)
		strbuf_appendf(buf, len, pos, "\"");
	for (const char *p = text; *p; p++) {
		if (*p == '"')
			strbuf_appendf(buf, len, pos, "\"\"");
		else if (*p == '\n' || *p == '\r')
			strbuf_appendf(buf, len, pos, " ");
		else
			strbuf_appendf(buf, len, pos, "%c", *p);
	}
	if (quote)
		strbuf_appendf(buf, len, pos, "\"");
}

/* Stop writing this session's CSV after an error: logged once, the loop goes on. */
static void csv_failed(struct records *r, const char *what)
{
	log_err("records: %s/" SESSIONS_DIR "/%s: %s: %s; the rest of this session is not recorded "
		"in it", r->dir, r->csv_name, what, strerror(errno));
	close(r->fd);
	r->fd = -1;
}

static void csv_sync(struct records *r)
{
	if (r->fd < 0 || !r->dirty)
		return;
	if (fdatasync(r->fd) < 0) {
		csv_failed(r, "fdatasync");
		return;
	}
	r->dirty = false;
	r->last_sync_mono_s = monotonic_s();
}

/* One row at session time t_s: the values of the last tick, and event (NULL on a plain row). */
static void csv_row(struct records *r, const struct controller *c, double t_s, const char *event)
{
	size_t pos = 0;
	char *buf = r->row;
	size_t len = sizeof(r->row);
	bool running = c->state == SESSION_RUNNING && !c->run.done;

	if (r->fd < 0)
		return;
	strbuf_appendf(buf, len, &pos, "%.2f", t_s < 0.0 ? 0.0 : t_s);
	if (running)
		strbuf_appendf(buf, len, &pos, ",%s,%d", phase_kind_name(program_phase_kind(&c->program, c->run.phase)),
		    program_phase_cycle(&c->program, c->run.phase));
	else
		strbuf_appendf(buf, len, &pos, ",,");
	for (int z = 0; z < r->n_zones; z++) {
		const struct zone_run *zr = &c->zone[z];
		bool has_pad2 = c->cfg->zones[z].pad_sensor2[0] != '\0';

		add_value(buf, len, &pos, running ? zr->setpoint_c : NAN, 2);
		add_value(buf, len, &pos, reading_c(&zr->pad), 2);
		add_value(buf, len, &pos, has_pad2 ? reading_c(&zr->pad2) : NAN, 2);
		add_value(buf, len, &pos, reading_c(&zr->heatsink), 2);
		add_value(buf, len, &pos, c->out.duty[z], 3);  /* as applied now */
	}
	strbuf_appendf(buf, len, &pos, ",");
	if (event)
		add_csv_text(buf, len, &pos, event);
	/* A row cut short by the buffer still ends its line. */
	if (pos > len - 2)
		pos = len - 2;
	buf[pos++] = '\n';
	buf[pos] = '\0';

	if (write_all(r->fd, buf, pos) < 0) {
		csv_failed(r, "write");
		return;
	}
	r->dirty = true;
	if (event || monotonic_s() - r->last_sync_mono_s >= RECORDS_SYNC_S)
		csv_sync(r);
}

static void csv_header(struct records *r, const struct controller *c)
{
	size_t pos = 0;
	char *buf = r->row;
	size_t len = sizeof(r->row);

	strbuf_appendf(buf, len, &pos, "t_s,phase,cycle");
	for (int z = 0; z < r->n_zones; z++) {
		const char *n = c->cfg->zones[z].name;

		strbuf_appendf(buf, len, &pos, ",%s_setpoint_c,%s_pad_c,%s_pad2_c,%s_heatsink_c,%s_duty", n, n, n, n, n);
	}
	strbuf_appendf(buf, len, &pos, ",event\n");
	if (write_all(r->fd, buf, pos) < 0)
		csv_failed(r, "write");
}

/* Create the CSV for a session started at wall: never over an existing file. */
static void csv_create(struct records *r, time_t wall)
{
	char stamp[STAMP_LEN + 1], dir_path[PATH_LEN + 16], path[PATH_LEN + 64];
	struct tm tm;

	gmtime_r(&wall, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	sessions_dir(r, dir_path, sizeof(dir_path));

	for (int suffix = 0; suffix <= MAX_SUFFIX; suffix++) {
		if (suffix == 0)
			snprintf(r->csv_name, sizeof(r->csv_name), "%s.csv", stamp);
		else if (suffix >= 2)
			snprintf(r->csv_name, sizeof(r->csv_name), "%s-%d.csv", stamp, suffix);
		else
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir_path, r->csv_name);
		r->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, FILE_MODE);
		if (r->fd >= 0) {
			sync_dir(dir_path);
			return;
		}
		if (errno != EEXIST) {
			log_err("records: cannot create %s: %s; this session is not recorded in a CSV",
				path, strerror(errno));
			r->csv_name[0] = '\0';
			return;
		}
	}
	log_err("records: %s/%s*.csv: %d sessions in one second already; this one is not recorded "
		"in a CSV", dir_path, stamp, MAX_SUFFIX);
	r->csv_name[0] = '\0';
}

/* ---- the session ---- */

void records_session_start(struct records *r, const struct controller *c, double now_s,
			   time_t wall, const char *how)
{
	char event[128];

	if (r->active)
		records_close(r);
	r->active = true;
	r->fd = -1;
	r->csv_name[0] = '\0';
	r->started[0] = '\0';
	r->start_s = c->session_start_s;
	r->next_row_t_s = floor(now_s - r->start_s) + 1.0;
	r->n_zones = c->cfg->n_zones;
	r->dirty = false;
	r->last_sync_mono_s = monotonic_s();

	if (ensure_dirs(r) == 0) {
		prune(r);
		csv_create(r, wall);
	} else {
		struct tm tm;

		gmtime_r(&wall, &tm);
		strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (r->fd < 0)
		return;
	csv_header(r, c);
	snprintf(event, sizeof(event), "start %s%s%s", c->program.name, how ? " " : "", how ? how : "");
	csv_row(r, c, now_s - r->start_s, event);
}

void records_tick(struct records *r, const struct controller *c, double now_s)
{
	if (!r->active || r->fd < 0)
		return;
	double t_s = now_s - r->start_s;

	/* Ticks land on tenths that add up to 0.999999...: a microsecond of slack. */
	if (t_s + 1e-6 < r->next_row_t_s)
		return;
	csv_row(r, c, t_s, NULL);
	r->next_row_t_s += 1.0;
	if (r->next_row_t_s <= t_s + 1e-6)
		r->next_row_t_s = floor(t_s + 1e-6) + 1.0;
}

void records_event(struct records *r, const struct controller *c, double now_s, const char *text)
{
	if (!r->active || r->fd < 0)
		return;
	csv_row(r, c, now_s - r->start_s, text);
}

/* Append one line to sessions.jsonl: O_APPEND, one write, fsync. */
static void jsonl_append(struct records *r, size_t line_len)
{
	char path[PATH_LEN + 32];
	struct stat st;
	bool created;

	snprintf(path, sizeof(path), "%s/" JSONL_NAME, r->dir);
	created = stat(path, &st) < 0 && errno == ENOENT;
	/* Read as well as append: the last byte says whether an earlier line was torn. */
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, FILE_MODE);

	if (fd < 0) {
		log_err("records: cannot open %s: %s; this session's summary is not recorded", path,
			strerror(errno));
		return;
	}
	/* r->line[0] is kept free for a newline that ends a line torn by an earlier power cut. */
	char *start = r->line + 1;
	size_t len = line_len;

	if (fstat(fd, &st) == 0 && st.st_size > 0) {
		char last;

		if (pread(fd, &last, 1, st.st_size - 1) != 1) {
			log_warning("records: %s: reading its last byte: %s", path, strerror(errno));
		} else if (last != '\n') {
			log_warning("records: %s ends in a torn line; ending it before the new one", path);
			start = r->line;
			start[0] = '\n';
			len++;
		}
	}
	if (write_all(fd, start, len) < 0)
		log_err("records: %s: write: %s; this session's summary may be missing or cut short",
			path, strerror(errno));
	else if (fsync(fd) < 0)
		log_err("records: %s: fsync: %s", path, strerror(errno));
	close(fd);
	if (created)
		sync_dir(r->dir);
}

void records_session_end(struct records *r, const struct controller *c, double now_s,
			 const char *how)
{
	char event[400], summary[RECORDS_LINE_MAX - 256];

	if (!r->active)
		return;
	if (c->state == SESSION_FAULT && safety_latched(&c->safety)) {
		const char *names[MAX_ZONES];
		char desc[256];

		for (int z = 0; z < MAX_ZONES; z++)
			names[z] = z < c->cfg->n_zones ? c->cfg->zones[z].name : "?";
		safety_describe(safety_latched_fault(&c->safety), names, desc, sizeof(desc));
		snprintf(event, sizeof(event), "end fault: %s", desc);
	} else {
		snprintf(event, sizeof(event), "end %s%s%s", session_state_name(c->state),
			 how ? " " : "", how ? how : "");
	}
	if (r->fd >= 0) {
		double t_s = c->session_end_s - r->start_s;

		csv_row(r, c, t_s, event);      /* an event row: synced */
		if (r->fd >= 0 && close(r->fd) < 0)
			log_err("records: %s/" SESSIONS_DIR "/%s: close: %s", r->dir, r->csv_name,
				strerror(errno));
		r->fd = -1;
	}
	(void)now_s;
	r->active = false;

	/* The summary line: "started" and "csv" in front of report_summary_json's members. */
	report_summary_json(c, summary, sizeof(summary));
	size_t slen = strlen(summary);

	if (slen < 2 || summary[0] != '{' || summary[slen - 1] != '}' || slen >= sizeof(summary) - 1) {
		log_err("records: the session summary is not a whole JSON object (%zu bytes); "
			"not appended to %s/" JSONL_NAME, slen, r->dir);
		return;
	}
	struct json_out j;

	json_out_init(&j, r->line + 1, sizeof(r->line) - 2);
	json_out_begin_object(&j);
	json_out_key(&j, "started");
	json_out_string(&j, r->started[0] ? r->started : NULL);
	json_out_key(&j, "csv");
	if (r->csv_name[0]) {
		char rel[RECORDS_NAME_MAX + 16];

		snprintf(rel, sizeof(rel), SESSIONS_DIR "/%s", r->csv_name);
		json_out_string(&j, rel);
	} else {
		json_out_null(&j);
	}
	/* summary is {"result":...}: its members follow ours. */
	json_out_raw_value(&j, summary + 1, slen - 1);
	if (json_out_overflow(&j)) {
		log_err("records: the session summary is longer than %d bytes; not appended to %s/"
			JSONL_NAME, RECORDS_LINE_MAX, r->dir);
		return;
	}
	r->line[1 + j.len] = '\n';
	jsonl_append(r, j.len + 1);
}

void records_close(struct records *r)
{
	if (r->fd >= 0) {
		csv_sync(r);
		if (r->fd >= 0)
			close(r->fd);
	}
	r->fd = -1;
	r->active = false;
}

/* ---- reading back ---- */

static bool plausible_line(const char *s, size_t len)
{
	if (len < 2 || s[0] != '{' || s[len - 1] != '}')
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	return true;
}

static int read_at(int fd, char *buf, size_t len, off_t off)
{
	while (len > 0) {
		ssize_t n = pread(fd, buf, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;    /* the file shrank under us */
			return -1;
		}
		buf += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int records_list(const char *state_dir, int n, records_line_fn fn, void *arg)
{
	char path[PATH_LEN + 32], chunk[4096], line[RECORDS_LINE_MAX];
	struct stat st;
	off_t start = 0, end = -1;
	int found = 0, passed = 0;

	if (n <= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/" JSONL_NAME, state_dir);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		log_err("records: cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		log_err("records: fstat %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}

	/* Backwards: the end of the last whole line, then the start of the n-th line before it. */
	off_t pos = st.st_size;

	while (pos > 0 && found < n) {
		size_t want = pos >= (off_t)sizeof(chunk) ? sizeof(chunk) : (size_t)pos;

		pos -= (off_t)want;
		if (read_at(fd, chunk, want, pos) < 0)
			goto read_error;
		for (size_t i = want; i-- > 0 && found < n;) {
			if (chunk[i] != '\n')
				continue;
			if (end < 0) {
				end = pos + (off_t)i + 1;       /* a torn tail after it is left out */
				continue;
			}
			if (++found == n)
				start = pos + (off_t)i + 1;
		}
	}
	if (end < 0) {
		close(fd);
		return 0;
	}

	/* Forwards from start to end, line by line. */
	size_t len = 0;
	bool skipping = false;

	for (pos = start; pos < end;) {
		size_t want = end - pos >= (off_t)sizeof(chunk) ? sizeof(chunk) : (size_t)(end - pos);

		if (read_at(fd, chunk, want, pos) < 0)
			goto read_error;
		pos += (off_t)want;
		for (size_t i = 0; i < want; i++) {
			if (chunk[i] != '\n') {
				if (len < sizeof(line))
					line[len++] = chunk[i];
				else
					skipping = true;
				continue;
			}
			/* len < sizeof(line): room for the NUL the callback may rely on. */
			if (!skipping && len < sizeof(line) && plausible_line(line, len)) {
				line[len] = '\0';
				fn(arg, line, len);
				passed++;
			}
			len = 0;
			skipping = false;
		}
	}
	close(fd);
	return passed;
read_error:
	log_err("records: reading %s: %s", path, strerror(errno));
	close(fd);
	return -1;
}

struct list_json {
	struct json_out j;
	int count;
};

static void add_line(void *arg, const char *line, size_t len)
{
	struct list_json *lj = arg;

	json_out_raw_value(&lj->j, line, len);
	lj->count++;
}

int records_list_json(const char *state_dir, int n, char *buf, size_t len)
{
	struct list_json lj;

	for (;;) {
		json_out_init(&lj.j, buf, len);
		lj.count = 0;
		json_out_begin_array(&lj.j);
		int rc = records_list(state_dir, n, add_line, &lj);

		if (rc < 0)
			return -1;
		json_out_end_array(&lj.j);
		if (!json_out_overflow(&lj.j))
			return lj.count;
		if (n <= 0)
			return -1;
		/* Not all fit: fewer, the newest kept (records_list takes from the end). */
		n = (rc < n ? rc : n) - 1;
	}
}
