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
#include "lib/json_valid.h"
#include "lib/strbuf.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/safefile.h"
#include "records.h"
#include "report.h"

#define DIR_MODE        0750
#define FILE_MODE       0640
#define JSONL_NAME      "sessions.jsonl"
#define SESSIONS_DIR    "sessions"
#define STAMP_LEN       16      /* "20261125T231500Z" */
#define MAX_SUFFIX      4000000000UL    /* sessions started in the same second: never reached */
/*
 * Pruning works at most PRUNE_BUDGET_S per tick, then rests at least
 * PRUNE_REST_S (at most a fifth of the loop's time however fast ticks
 * come: a simulated loop catching up runs many ticks in one turn).
 */
#define PRUNE_BUDGET_S  0.002
#define PRUNE_REST_S    0.008

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

static void sessions_dir(const struct records *r, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" SESSIONS_DIR, r->dir);
}

/*
 * Make state_dir and sessions/ when missing, check that nobody but the
 * daemon can write to either (lib/safefile.h), and hold sessions/ open in
 * r->sessions_fd. Returns 0, or -1 (logged).
 */
static int ensure_dirs(struct records *r)
{
	char path[PATH_LEN + 16], err[512];
	int fd;

	sessions_dir(r, path, sizeof(path));
	fd = safefile_open_dir(r->dir, DIR_MODE, err, sizeof(err));
	if (fd >= 0) {
		close(fd);
		fd = safefile_open_dir(path, DIR_MODE, err, sizeof(err));
	}
	if (fd < 0) {
		log_err("records: %s; this session is not recorded", err);
		return -1;
	}
	if (r->sessions_fd >= 0)
		close(r->sessions_fd);
	r->sessions_fd = fd;
	r->pruning = false;
	return 0;
}

/* ---- setup ---- */

int records_init(struct records *r, const char *state_dir, int keep_sessions)
{
	/* strftime calls tzset, which reads the zone file (and allocates) the first time: now, not mid-session. */
	tzset();
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->sessions_fd = -1;
	records_reconfigure(r, state_dir, keep_sessions);
	return ensure_dirs(r);
}

void records_reconfigure(struct records *r, const char *state_dir, int keep_sessions)
{
	snprintf(r->dir, sizeof(r->dir), "%s", state_dir);
	r->keep_sessions = keep_sessions < 1 ? 1 : keep_sessions > RECORDS_KEEP_MAX ? RECORDS_KEEP_MAX :
			   keep_sessions;
}

/* ---- pruning ---- */

/*
 * A session CSV's name, STAMP.csv or STAMP-N.csv (N >= 2, no leading
 * zero), as a key that sorts by age: the stamp's seconds since the epoch
 * in the high 32 bits, N in the low ones. 0 for any other name, which is
 * left alone: only a name that the daemon itself would write is a key.
 */
static uint64_t session_key(const char *name)
{
	char stamp[STAMP_LEN + 1], again[STAMP_LEN + 1];
	size_t len = strlen(name);
	unsigned long suffix = 0;
	struct tm tm;
	time_t t;

	if (len < STAMP_LEN + 4 || strcmp(name + len - 4, ".csv") != 0)
		return 0;
	for (int i = 0; i < STAMP_LEN; i++) {
		char ch = name[i];
		bool ok = i == 8 ? ch == 'T' : i == 15 ? ch == 'Z' : isdigit((unsigned char)ch);

		if (!ok)
			return 0;
	}
	if (len > STAMP_LEN + 4) {
		if (name[STAMP_LEN] != '-' || name[STAMP_LEN + 1] == '0' || len - 4 - STAMP_LEN - 1 > 10)
			return 0;
		for (size_t i = STAMP_LEN + 1; i < len - 4; i++) {
			if (!isdigit((unsigned char)name[i]))
				return 0;
			suffix = suffix * 10 + (unsigned long)(name[i] - '0');
		}
		if (suffix < 2 || suffix > MAX_SUFFIX)
			return 0;
	}
	memcpy(stamp, name, STAMP_LEN);
	stamp[STAMP_LEN] = '\0';
	memset(&tm, 0, sizeof(tm));
	if (!strptime(stamp, "%Y%m%dT%H%M%SZ", &tm))
		return 0;
	t = timegm(&tm);
	/* The stamp must be one the daemon writes: 20261131 or 25:00 are someone else's. */
	if (t < 0 || t > (time_t)UINT32_MAX || !gmtime_r(&t, &tm) ||
	    strftime(again, sizeof(again), "%Y%m%dT%H%M%SZ", &tm) != STAMP_LEN || strcmp(again, stamp) != 0)
		return 0;
	return ((uint64_t)t << 32) | suffix;
}

/* The name of key: the inverse of session_key. */
static void session_name(uint64_t key, char *buf, size_t len)
{
	time_t t = (time_t)(key >> 32);
	unsigned long suffix = (unsigned long)(key & 0xffffffffu);
	char stamp[STAMP_LEN + 1];
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if (suffix == 0)
		snprintf(buf, len, "%s.csv", stamp);
	else
		snprintf(buf, len, "%s-%lu.csv", stamp, suffix);
}

/*
 * The newest CSVs seen so far in this scan, at most keep_sessions - 1 of
 * them, as a min-heap: the oldest of them on top. One scan at a time (the
 * daemon has one struct records); static so that only what is used of it
 * is ever touched.
 */
static uint64_t prune_heap[RECORDS_KEEP_MAX];

static void heap_sift_down(uint64_t *h, int n, int i)
{
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;

		if (l < n && h[l] < h[m])
			m = l;
		if (r < n && h[r] < h[m])
			m = r;
		if (m == i)
			return;
		uint64_t t = h[i];

		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

static void heap_push(uint64_t *h, int *n, uint64_t key)
{
	int i = (*n)++;

	h[i] = key;
	while (i > 0 && h[(i - 1) / 2] > h[i]) {
		uint64_t t = h[i];

		h[i] = h[(i - 1) / 2];
		h[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static void prune_remove(struct records *r, const char *name)
{
	if (unlinkat(r->sessions_fd, name, 0) < 0) {
		if (errno != ENOENT && r->prune_errors++ == 0)
			log_err("records: removing %s/" SESSIONS_DIR "/%s: %s", r->dir, name, strerror(errno));
		return;
	}
	r->prune_removed++;
	log_debug("records: removed %s/" SESSIONS_DIR "/%s", r->dir, name);
}

/* One directory entry of the scan. */
static void prune_entry(struct records *r, const char *name)
{
	uint64_t key = session_key(name);
	int keep = r->keep_sessions - 1;        /* room for the session being recorded */

	if (key == 0 || key == r->own_key)
		return;
	if (r->heap_n < keep) {
		heap_push(prune_heap, &r->heap_n, key);
		return;
	}
	if (keep > 0 && key > prune_heap[0]) {
		/* Newer than the oldest kept so far: that one goes, this one stays. */
		char victim[RECORDS_NAME_MAX];

		session_name(prune_heap[0], victim, sizeof(victim));
		prune_heap[0] = key;
		heap_sift_down(prune_heap, r->heap_n, 0);
		prune_remove(r, victim);
		return;
	}
	prune_remove(r, name);
}

static void prune_done(struct records *r, const char *why)
{
	r->pruning = false;
	if (why)
		log_err("records: reading %s/" SESSIONS_DIR ": %s; old sessions not pruned", r->dir, why);
	else if (r->prune_removed > 0)
		log_info("records: removed %ld old session CSV%s from %s/" SESSIONS_DIR " (keep_sessions = %d)",
			 r->prune_removed, r->prune_removed == 1 ? "" : "s", r->dir, r->keep_sessions);
}

/*
 * Scan on from where the last step stopped, for at most PRUNE_BUDGET_S:
 * one pass over the directory (getdents64 into r->dents, no allocation)
 * deletes every CSV older than the keep_sessions - 1 newest, however many.
 */
static void prune_step(struct records *r)
{
	double now = monotonic_s();
	double deadline = now + PRUNE_BUDGET_S;
	int n_seen = 0;

	if (now < r->prune_next_s)
		return;
	while (r->pruning) {
		if (r->dents_pos >= r->dents_len) {
			ssize_t n = getdents64(r->sessions_fd, r->dents, sizeof(r->dents));

			if (n <= 0) {
				prune_done(r, n < 0 ? strerror(errno) : NULL);
				return;
			}
			r->dents_len = (size_t)n;
			r->dents_pos = 0;
		}
		struct dirent64 *de = (struct dirent64 *)(void *)(r->dents + r->dents_pos);

		r->dents_pos += de->d_reclen;
		prune_entry(r, de->d_name);
		if (++n_seen % 16 == 0 && (now = monotonic_s()) >= deadline) {
			r->prune_next_s = now + PRUNE_REST_S;
			return;
		}
	}
}

/* A new scan, from the start of the directory: at session start. */
static void prune_begin(struct records *r)
{
	if (r->sessions_fd < 0 || lseek(r->sessions_fd, 0, SEEK_SET) < 0)
		return;
	r->pruning = true;
	r->heap_n = 0;
	r->dents_pos = r->dents_len = 0;
	r->prune_removed = 0;
	r->prune_errors = 0;
	r->prune_next_s = 0.0;
	r->own_key = r->csv_name[0] ? session_key(r->csv_name) : 0;
	prune_step(r);
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

/* While the session runs: asked of the syncer thread (the loop does not wait for the storage). */
static void csv_sync(struct records *r)
{
	int failed;

	if (r->fd < 0 || !r->dirty)
		return;
	if (!syncer_datasync(r->syncer, r->fd, &failed)) {
		r->last_sync_mono_s = -INFINITY;        /* the thread was busy: asked again at the next row */
		return;
	}
	if (failed) {
		errno = failed;
		csv_failed(r, "fdatasync");
		return;
	}
	r->dirty = false;
	r->last_sync_mono_s = monotonic_s();
}

/* Before the CSV is closed: on disk now (the session has ended; nothing waits on the loop). */
static void csv_sync_now(struct records *r)
{
	char why[SYNCER_WHY_MAX];
	int failed;
	bool ledger_failed;

	/* What the thread did for this CSV is its result, said now: not against the next session's. */
	syncer_drain(r->syncer);
	if (syncer_take_result(r->syncer, &failed, &ledger_failed, why, sizeof(why))) {
		if (ledger_failed)
			log_err("%s", why);
		if (failed && r->fd >= 0) {
			errno = failed;
			csv_failed(r, "fdatasync");
		}
	}
	if (r->fd < 0 || !r->dirty)
		return;
	if (fdatasync(r->fd) < 0) {
		csv_failed(r, "fdatasync");
		return;
	}
	r->dirty = false;
	r->last_sync_mono_s = monotonic_s();
}

void records_sync_failed(struct records *r, int err)
{
	if (r->fd >= 0) {
		errno = err;
		csv_failed(r, "fdatasync");
		return;
	}
	if (r->csv_name[0])
		log_err("records: %s/" SESSIONS_DIR "/%s: fdatasync: %s; its last rows may be missing", r->dir,
			r->csv_name, strerror(err));
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

/*
 * Create the CSV for a session started at wall: never over an existing
 * file, never a symlink followed. A second session in the same second is
 * STAMP-2.csv, then -3 ...: counted on from the last one made, so the
 * names never run out and a burst costs one open each.
 */
static void csv_create(struct records *r, time_t wall)
{
	char stamp[STAMP_LEN + 1];
	struct tm tm;
	unsigned long suffix = wall == r->last_wall && r->last_suffix > 0 ? r->last_suffix + 1 : 0;

	gmtime_r(&wall, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	strftime(r->started, sizeof(r->started), "%Y-%m-%dT%H:%M:%SZ", &tm);

	for (; suffix <= MAX_SUFFIX; suffix++) {
		if (suffix == 1)
			continue;
		if (suffix == 0)
			snprintf(r->csv_name, sizeof(r->csv_name), "%s.csv", stamp);
		else
			snprintf(r->csv_name, sizeof(r->csv_name), "%s-%lu.csv", stamp, suffix);
		r->fd = safefile_openat(r->sessions_fd, r->csv_name, O_WRONLY | O_CREAT | O_EXCL, FILE_MODE);
		if (r->fd >= 0) {
			r->last_wall = wall;
			r->last_suffix = suffix == 0 ? 1 : suffix;
			if (fsync(r->sessions_fd) < 0)
				log_warning("records: fsync %s/" SESSIONS_DIR ": %s", r->dir, strerror(errno));
			return;
		}
		if (errno != EEXIST) {
			log_err("records: cannot create %s/" SESSIONS_DIR "/%s: %s; this session is not recorded "
				"in a CSV", r->dir, r->csv_name, safefile_strerror(errno));
			r->csv_name[0] = '\0';
			return;
		}
	}
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
		csv_create(r, wall);
		/* The scan goes on tick by tick (records_tick), a few milliseconds each. */
		prune_begin(r);
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
	if (r->pruning)
		prune_step(r);
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
	bool created = false;
	int dfd = open(r->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = -1;

	snprintf(path, sizeof(path), "%s/" JSONL_NAME, r->dir);
	/* Read as well as append: the last byte says whether an earlier line was torn. */
	if (dfd >= 0) {
		fd = safefile_openat(dfd, JSONL_NAME, O_RDWR | O_APPEND, 0);
		if (fd < 0 && errno == ENOENT) {
			fd = safefile_openat(dfd, JSONL_NAME, O_RDWR | O_APPEND | O_CREAT | O_EXCL, FILE_MODE);
			created = fd >= 0;
		}
	}
	if (fd < 0) {
		log_err("records: cannot open %s: %s; this session's summary is not recorded", path,
			safefile_strerror(errno));
		if (dfd >= 0)
			close(dfd);
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
	if (created && fsync(dfd) < 0)
		log_warning("records: fsync %s: %s", r->dir, strerror(errno));
	close(dfd);
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

		csv_row(r, c, t_s, event);
		csv_sync_now(r);
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
		csv_sync_now(r);
		if (r->fd >= 0)
			close(r->fd);
	}
	r->fd = -1;
	r->active = false;
}

void records_finalise(struct records *r)
{
	records_close(r);
	if (r->sessions_fd >= 0)
		close(r->sessions_fd);
	r->sessions_fd = -1;
	r->pruning = false;
}

bool records_pruning(const struct records *r)
{
	return r->pruning;
}

/* ---- reading back ---- */

/* One complete record: a JSON object, whole and nothing after it (lib/json_valid.h). */
static bool complete_record(const char *s, size_t len)
{
	return len >= 2 && s[0] == '{' && json_valid(s, len);
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
	int dfd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int fd = dfd < 0 ? -1 : safefile_openat(dfd, JSONL_NAME, O_RDONLY, 0);

	if (fd < 0 && errno == ENOENT && dfd >= 0) {
		/* No sessions yet: true only if one could be recorded. */
		if (faccessat(dfd, ".", W_OK | X_OK, AT_EACCESS) == 0) {
			close(dfd);
			return 0;
		}
		log_err("records: %s is not writable: %s: no session can be recorded", state_dir,
			strerror(errno));
		close(dfd);
		return -1;
	}
	if (fd < 0) {
		int e = errno;

		log_err("records: cannot open %s: %s", dfd < 0 ? state_dir : path, safefile_strerror(e));
		if (dfd >= 0)
			close(dfd);
		errno = e;
		return -1;
	}
	close(dfd);
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
	int skipped = 0;

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
			if (!skipping && len < sizeof(line) && complete_record(line, len)) {
				line[len] = '\0';
				fn(arg, line, len);
				passed++;
			} else if (len > 0) {
				skipped++;
			}
			len = 0;
			skipping = false;
		}
	}
	close(fd);
	if (skipped > 0)
		log_warning("records: %s: skipped %d line%s that %s not one complete record (a torn write?)",
			    path, skipped, skipped == 1 ? "" : "s", skipped == 1 ? "is" : "are");
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
