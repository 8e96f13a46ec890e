/* SPDX-License-Identifier: MIT */
/*
 * Session records under state_dir (docs/control.md, "Session records"):
 *
 *   state_dir/sessions/20261125T231500Z.csv   one per session, named by
 *       the session's start in UTC (a second session in the same second
 *       gets -2, -3 ... before .csv, with no limit). A header, then one row per second
 *       of the session and one row per event:
 *         t_s,phase,cycle,ZONE_setpoint_c,ZONE_pad_c,ZONE_pad2_c,
 *         ZONE_heatsink_c,ZONE_duty,...(per zone),event
 *       t_s is seconds since the session started; event is empty on the
 *       per-second rows and says what happened on an event row ("start
 *       default", "button short", "fault over-temperature ...",
 *       "end completed"). Empty fields where a value does not exist.
 *   state_dir/sessions.jsonl   one line per finished session: the
 *       end-of-session JSON of report_summary_json() with "started" (the
 *       UTC start, ISO 8601) and "csv" (the CSV's path under state_dir)
 *       in front.
 *
 * What a power cut can cost: rows go out with write(2) as they are made
 * and fdatasync() is asked at least every RECORDS_SYNC_S of real time and
 * after every event row, so a cut loses at most the last seconds of the
 * running session's CSV, and that session gets no summary line. While a
 * session runs the fdatasync is the syncer thread's (syncer.h: the loop
 * never waits for the storage); its failure ends the CSV as a write's
 * does (records_sync_failed). The last rows of a session that has ended
 * are synced on the spot, before the CSV is closed. The CSV
 * is made with O_CREAT|O_EXCL (never over an older one); the summary goes
 * to sessions.jsonl with O_APPEND, one write(2) and fsync(), so earlier
 * lines are never touched. A torn last line from an earlier cut is
 * ended with a newline before the next line, and readers skip it.
 *
 * Pruning: from each session start on, the oldest CSVs are deleted so
 * that at most keep_sessions remain, the new one included. It is one scan
 * of the directory however many files go, done 2 ms per tick at most
 * (records_tick) with a rest of 8 ms between, so that it never holds up
 * the loop, however fast ticks come. sessions.jsonl
 * is not pruned (a few hundred bytes a session: the diary stays whole).
 *
 * Files: state_dir and sessions/ must be writable by nobody but the
 * daemon's user and group; every file in them is opened without
 * following a symlink and must be a regular file (lib/safefile.h).
 *
 * Errors (a missing or read-only state_dir, a full disk) are logged with
 * the path and strerror, once per session and kind, and never reach the
 * control loop: recording just stops for that session. state_dir and
 * sessions/ are created (mode 0750) when missing.
 *
 * Nothing here allocates. records_tick() is the per-tick path: it
 * formats at most one row into a fixed buffer and writes it.
 */
#ifndef CONTRASTD_RECORDS_H
#define CONTRASTD_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "core/controller.h"
#include "core/limits.h"
#include "syncer.h"

#define RECORDS_SYNC_S          5.0     /* fdatasync at least this often (real time) */
#define RECORDS_ROW_MAX         2048    /* one CSV row */
#define RECORDS_LINE_MAX        8192    /* one sessions.jsonl line */
#define RECORDS_NAME_MAX        40      /* "20261125T231500Z-4000000000.csv" */
#define RECORDS_KEEP_MAX        100000  /* keep_sessions' upper bound (the schema's) */

struct records {
	char dir[PATH_LEN];             /* state_dir */
	int keep_sessions;
	int fd;                         /* the running session's CSV, -1 when none */
	bool active;                    /* between session_start and session_end */
	char csv_name[RECORDS_NAME_MAX];        /* "20261125T231500Z.csv", "" when none */
	char started[32];               /* "2026-11-25T23:15:00Z" */
	double start_s;                 /* controller time the session started */
	double next_row_t_s;            /* session time of the next per-second row */
	double last_sync_mono_s;        /* monotonic time of the last fdatasync */
	bool dirty;                     /* rows written since the last fdatasync */
	int n_zones;
	time_t last_wall;               /* the last CSV's second ... */
	unsigned long last_suffix;      /* ... and its number (1 for none): the next one counts on */
	int sessions_fd;                /* state_dir/sessions, -1 when not open */
	struct syncer *syncer;          /* the periodic fdatasync's thread (syncer.h); NULL: on the spot */
	/* Pruning: one scan of sessions/, a few milliseconds per tick. */
	bool pruning;
	int heap_n;                     /* newest CSVs kept so far (in records.c's heap) */
	uint64_t own_key;               /* the running session's CSV: never pruned */
	double prune_next_s;            /* monotonic: the next slice not before (a rest between) */
	long prune_removed;
	int prune_errors;
	size_t dents_pos, dents_len;
	char dents[4096];               /* getdents64 */
	char row[RECORDS_ROW_MAX];
	char line[RECORDS_LINE_MAX];
};

/*
 * Remember state_dir and keep_sessions, and create state_dir and
 * state_dir/sessions when missing. Returns 0, or -1 when they cannot be
 * made (logged; the records still work once the directory appears:
 * every session start tries again).
 */
int records_init(struct records *r, const char *state_dir, int keep_sessions);

/* A failed fdatasync of the syncer's: the running session's CSV stops, as after a failed write. */
void records_sync_failed(struct records *r, int err);

/* A new config (SIGHUP), used from the next session on. */
void records_reconfigure(struct records *r, const char *state_dir, int keep_sessions);

/*
 * A session started at controller time now_s (c->session_start_s) and
 * wall-clock time wall (time(NULL)). Prunes old CSVs, creates the new
 * one, writes the header, the "start PROGRAM[ how]" event row and the
 * first per-second row. how says who started it ("button", "uid 1000
 * pid 4242", "--start"), may be NULL.
 */
void records_session_start(struct records *r, const struct controller *c, double now_s,
			   time_t wall, const char *how);

/*
 * Every tick, after controller_tick: while a session runs, writes the
 * per-second row when one is due (at t_s = 0, 1, 2 ...; after a stall
 * the next row comes at the next whole second); and a slice of at most a
 * few milliseconds of a prune scan while one goes on. Cheap otherwise.
 */
void records_tick(struct records *r, const struct controller *c, double now_s);

/*
 * An event row at now_s: "button short", "button long", "fault ...".
 * Only while a session is recorded (ignored otherwise). Synced at once.
 * Commas, quotes and newlines in text are escaped the CSV way.
 */
void records_event(struct records *r, const struct controller *c, double now_s, const char *text);

/*
 * The session ended (c->state is completed, stopped or fault): a last
 * row, the "end RESULT[ how]" event row (with the fault's description
 * for a fault), fdatasync, close; then the summary line to
 * sessions.jsonl. how may be NULL ("button", "SIGTERM", "uid 1000 pid
 * 4242").
 */
void records_session_end(struct records *r, const struct controller *c, double now_s,
			 const char *how);

/* Close the CSV if one is open (no summary). Safe to call twice. */
void records_close(struct records *r);

/* records_close, and the directory held open. Safe to call twice. */
void records_finalise(struct records *r);

/* Is a prune scan still going on (tests)? */
bool records_pruning(const struct records *r);

/* Called with each line of sessions.jsonl, without its newline. */
typedef void (*records_line_fn)(void *arg, const char *line, size_t len);

/*
 * The last n summary lines of state_dir/sessions.jsonl, oldest first.
 * Each line is parsed: one that is not one complete JSON object (a torn
 * line, even one that ends in }, garbage, longer than RECORDS_LINE_MAX)
 * is skipped, and the skips are logged. A missing file is no sessions
 * when state_dir is writable, and an error when it is not (no session
 * could be recorded). Returns the number of lines passed to fn, or -1
 * (logged with the path and strerror).
 */
int records_list(const char *state_dir, int n, records_line_fn fn, void *arg);

/*
 * The last n summaries as one JSON array, oldest first, into buf: as
 * many of the newest as fit when not all do. Returns the count, or -1
 * when the file cannot be read or not even "[]" fits.
 */
int records_list_json(const char *state_dir, int n, char *buf, size_t len);

#endif
