/* SPDX-License-Identifier: MIT */
/*
 * Session records in a mkdtemp directory: the CSV's name, header, rows
 * and events; the summary line in sessions.jsonl; O_EXCL names; pruning;
 * reading the last N summaries back, past torn and garbage lines; and
 * errors (a state_dir that cannot exist, a full disk) that never stop
 * the caller.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include "controller_ticks.h"
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "core/config.h"
#include "core/controller.h"
#include "lib/log.h"
#include "daemon/records.h"
#include "lib/loop.h"
#include "json_read.h"

static struct config cfg;
static struct controller ctl;
static struct records rec;
static char dir[64];
static char state_dir[128];

/* 2026-11-25 23:15:00 UTC plus minutes. */
static time_t wall_at(int minutes)
{
	struct tm tm = { .tm_year = 126, .tm_mon = 10, .tm_mday = 25, .tm_hour = 23, .tm_min = 15 };

	return timegm(&tm) + 60 * minutes;
}

static void tick(double now_s, double pad_c)
{
	tick_controller(&ctl, now_s, pad_c);
}

static void make_config(void)
{
	config_defaults(&cfg);
	cfg.n_zones = 2;
	snprintf(cfg.zones[0].name, NAME_LEN, "left");
	snprintf(cfg.zones[0].pad_sensor2, SENSOR_SPEC_LEN, "ads1115/voltage1");
	snprintf(cfg.zones[1].name, NAME_LEN, "right");
}

static void rm_rf(const char *path)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/contrastd-rec-XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* Two levels that do not exist yet: records_init makes them. */
	snprintf(state_dir, sizeof(state_dir), "%s/var/contrastd", dir);
	make_config();
	controller_init(&ctl, &cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	records_finalise(&rec);
	rm_rf(dir);
	return 0;
}

/*
 * A whole session from start_s: start, ticks every 0.1 s for length_s
 * (pad rising 0.2 C/s), then a stop, recorded with the wall time.
 */
static void run_session(double start_s, double length_s, time_t wall)
{
	char why[256];
	double t = start_s;

	tick(t, 33.0);
	if (controller_start(&ctl, NULL, t, why, sizeof(why)) < 0)
		fail_msg("start refused: %s", why);
	records_session_start(&rec, &ctl, t, wall, "uid 1000 pid 4242");
	for (int i = 1; i * 0.1 <= length_s + 1e-9; i++) {
		tick(start_s + i * 0.1, 33.0 + 0.02 * i);
		records_tick(&rec, &ctl, start_s + i * 0.1);
	}
	t = start_s + length_s + 0.05;
	assert_int_equal(controller_stop(&ctl, t), 0);
	records_session_end(&rec, &ctl, t, "button");
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);

	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static int count_csvs(void)
{
	char path[256];
	int n = 0;

	snprintf(path, sizeof(path), "%s/sessions", state_dir);
	DIR *d = opendir(path);

	assert_non_null(d);
	for (struct dirent *de; (de = readdir(d)) != NULL;)
		if (strstr(de->d_name, ".csv"))
			n++;
	closedir(d);
	return n;
}

static bool csv_exists(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/sessions/%s", state_dir, name);
	return access(path, F_OK) == 0;
}

/* Count a CSV line's fields, honouring quotes. */
static int fields(const char *line)
{
	int n = 1;
	bool quoted = false;

	for (const char *p = line; *p && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ',' && !quoted)
			n++;
	}
	return n;
}

struct collected {
	int n;
	char line[16][RECORDS_LINE_MAX];
};

static void collect(void *arg, const char *line, size_t len)
{
	struct collected *c = arg;

	assert_int_equal(strlen(line), len);
	if (c->n < 16)
		snprintf(c->line[c->n], sizeof(c->line[0]), "%s", line);
	c->n++;
}

static struct collected got;

static void test_init_makes_the_directories(void **state)
{
	char path[256];
	struct stat st;

	(void)state;
	assert_int_equal(records_init(&rec, state_dir, 100), 0);
	snprintf(path, sizeof(path), "%s/sessions", state_dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	/* Again, on directories that exist: fine. */
	assert_int_equal(records_init(&rec, state_dir, 100), 0);
}

static void test_a_session_csv_and_summary(void **state)
{
	char path[256], text[16384], *save = NULL;

	(void)state;
	assert_int_equal(records_init(&rec, state_dir, 100), 0);
	tick(0.0, 33.0);
	char why[256];

	assert_int_equal(controller_start(&ctl, NULL, 10.0, why, sizeof(why)), 0);
	records_session_start(&rec, &ctl, 10.0, wall_at(0), "uid 1000 pid 4242");
	assert_string_equal(rec.csv_name, "20261125T231500Z.csv");
	for (int i = 1; i <= 35; i++) {
		double t = 10.0 + 0.1 * i;

		tick(t, 33.0 + 0.02 * i);
		records_tick(&rec, &ctl, t);
		if (i == 22)
			records_event(&rec, &ctl, t, "button short, \"quoted\"");
	}
	assert_int_equal(controller_stop(&ctl, 13.55), 0);
	records_session_end(&rec, &ctl, 13.55, "button");
	assert_int_equal(rec.fd, -1);

	snprintf(path, sizeof(path), "%s/sessions/20261125T231500Z.csv", state_dir);
	assert_true(read_file(path, text, sizeof(text)) > 0);

	const char *header = "t_s,phase,cycle,left_setpoint_c,left_pad_c,left_pad2_c,left_heatsink_c,left_duty,"
			     "right_setpoint_c,right_pad_c,right_pad2_c,right_heatsink_c,right_duty,event";
	char *line = strtok_r(text, "\n", &save);

	assert_string_equal(line, header);
	int n_fields = fields(header);
	/* Rows: the start event at 0, per-second rows at 1, 2, 3, the button at 2.2, the end at 3.55. */
	static const struct {
		double t_s;
		const char *event;
	} want[] = {
		{ 0.0, "start default uid 1000 pid 4242" },
		{ 1.0, "" },
		{ 2.0, "" },
		{ 2.2, "\"button short; \"\"quoted\"\"\"" },
		{ 3.0, "" },
		{ 3.55, "end stopped button" },
	};
	size_t i = 0;

	for (line = strtok_r(NULL, "\n", &save); line; line = strtok_r(NULL, "\n", &save), i++) {
		assert_true(i < sizeof(want) / sizeof(want[0]));
		assert_int_equal(fields(line), n_fields);
		double t = atof(line);

		if (fabs(t - want[i].t_s) > 0.051)
			fail_msg("row %zu: t_s %.2f, expected %.2f: %s", i, t, want[i].t_s, line);
		const char *last = strrchr(line, ',');

		if (want[i].event[0] == '"') {
			/* The quoted event holds commas of its own: compare the tail. */
			assert_non_null(strstr(line, "\"button short, \"\"quoted\"\"\""));
		} else {
			assert_string_equal(last + 1, want[i].event);
		}
		if (i == 1) {
			/* A running row: phase, cycle, setpoint, both pads, heatsink, duty. */
			assert_non_null(strstr(line, ",warm,1,38.00,"));
			assert_non_null(strstr(line, ",25.00,"));
		}
		if (i == 5)     /* ended: no phase, no setpoint, duty 0 */
			assert_non_null(strstr(line, "3.55,,,,"));
	}
	assert_int_equal(i, sizeof(want) / sizeof(want[0]));

	/* The summary line. */
	snprintf(path, sizeof(path), "%s/sessions.jsonl", state_dir);
	int n = read_file(path, text, sizeof(text));

	assert_true(n > 0);
	assert_int_equal(text[n - 1], '\n');
	assert_null(strchr(text, '\n') + 1 < text + n ? strchr(strchr(text, '\n') + 1, '\n') : NULL);
	const struct json_object *root = json_read(text, (size_t)n - 1);

	assert_string_equal(reply_str(root, "started", ""), "2026-11-25T23:15:00Z");
	assert_string_equal(reply_str(root, "csv", ""), "sessions/20261125T231500Z.csv");
	assert_string_equal(reply_str(root, "result", ""), "stopped");
	assert_string_equal(reply_str(root, "program", ""), "default");
	assert_true(fabs(reply_num(root, "duration_s") - 3.55) < 0.006);
	assert_int_equal(reply_count(reply_get(root, "zones")), 2);
	assert_true(strncmp(text, "{\"started\":\"2026-11-25T23:15:00Z\",\"csv\":", 40) == 0);
}

static void test_same_second_gets_a_suffix(void **state)
{
	(void)state;
	records_init(&rec, state_dir, 100);
	run_session(0.0, 1.0, wall_at(0));
	assert_string_equal(rec.csv_name, "20261125T231500Z.csv");
	run_session(10.0, 1.0, wall_at(0));
	assert_string_equal(rec.csv_name, "20261125T231500Z-2.csv");
	run_session(20.0, 1.0, wall_at(0));
	assert_string_equal(rec.csv_name, "20261125T231500Z-3.csv");
	assert_int_equal(count_csvs(), 3);
}

/* More than 99 sessions in one second: each its own CSV, none lost to a name taken. */
static void test_names_never_run_out(void **state)
{
	(void)state;
	records_init(&rec, state_dir, 1000);
	for (int i = 0; i < 150; i++)
		run_session(10.0 * i, 0.2, wall_at(0));
	assert_string_equal(rec.csv_name, "20261125T231500Z-150.csv");
	assert_int_equal(count_csvs(), 150);
	assert_true(csv_exists("20261125T231500Z-100.csv"));
	/* A restart in the same second: the names taken are skipped, none is overwritten. */
	records_finalise(&rec);
	records_init(&rec, state_dir, 1000);
	run_session(2000.0, 0.2, wall_at(0));
	assert_string_equal(rec.csv_name, "20261125T231500Z-151.csv");
	assert_int_equal(count_csvs(), 151);
}

/* 3,000 old CSVs and names that are not ours: one scan, a few ms per tick, the newest kept. */
static void test_prune_many_in_slices(void **state)
{
	char dir_path[300], path[400];
	int ticks = 0;

	(void)state;
	records_init(&rec, state_dir, 10);
	snprintf(dir_path, sizeof(dir_path), "%s/sessions", state_dir);
	for (int i = 0; i < 3000; i++) {
		time_t t = wall_at(0) - 86400 * 30 + 60 * i;
		struct tm tm;
		char stamp[32];

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(path, sizeof(path), "%s/%s%s.csv", dir_path, stamp, i % 2 ? "-2" : "");
		int fd = open(path, O_CREAT | O_WRONLY, 0600);

		assert_true(fd >= 0);
		close(fd);
	}
	/* Not ours: a leading zero, a suffix of 1, a day that does not exist. */
	static const char *const others[] = { "20261125T231500Z-02.csv", "20261125T231500Z-1.csv",
					      "20261131T231500Z.csv", "notes.csv" };

	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir_path, others[i]);
		close(open(path, O_CREAT | O_WRONLY, 0600));
	}
	char why[256];

	tick(0.0, 33.0);
	assert_int_equal(controller_start(&ctl, NULL, 0.0, why, sizeof(why)), 0);
	records_session_start(&rec, &ctl, 0.0, wall_at(0), NULL);
	double start = monotonic_s();

	for (double t = 0.1; records_pruning(&rec); t += 0.1) {
		double t0 = monotonic_s();

		tick(t, 33.0);
		records_tick(&rec, &ctl, t);
		/* A slice is about 2 ms; unlink and a loaded machine get some slack. */
		assert_true(monotonic_s() - t0 < 0.05);
		ticks++;
		/* Ticks as fast as a simulated loop catching up: the slices still rest between. */
		usleep(500);
		assert_true(monotonic_s() - start < 30.0);
	}
	/* The new one, the 9 newest old ones, and the four that are not ours. */
	assert_int_equal(count_csvs(), 10 + 4);
	for (int i = 2991; i < 3000; i++) {
		time_t t = wall_at(0) - 86400 * 30 + 60 * i;
		struct tm tm;
		char stamp[32], name[48];

		gmtime_r(&t, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		snprintf(name, sizeof(name), "%s%s.csv", stamp, i % 2 ? "-2" : "");
		assert_true(csv_exists(name));
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_true(csv_exists(others[i]));
	assert_true(csv_exists(rec.csv_name));
	print_message("pruned 2,991 CSVs in %d ticks, %.2f s\n", ticks, monotonic_s() - start);
}

static void test_prune_keeps_the_newest(void **state)
{
	char path[256];

	(void)state;
	records_init(&rec, state_dir, 3);
	/* Not a session file: never touched. */
	snprintf(path, sizeof(path), "%s/sessions/notes.txt", state_dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0600);

	assert_true(fd >= 0);
	close(fd);
	for (int i = 0; i < 5; i++)
		run_session(100.0 * i, 1.0, wall_at(i));
	/* Two in the same second as the last: its -2 is newer than it. */
	run_session(600.0, 1.0, wall_at(4));
	assert_int_equal(count_csvs(), 3);
	assert_false(csv_exists("20261125T231500Z.csv"));
	assert_false(csv_exists("20261125T231600Z.csv"));
	assert_false(csv_exists("20261125T231700Z.csv"));
	assert_true(csv_exists("20261125T231800Z.csv"));
	assert_true(csv_exists("20261125T231900Z.csv"));
	assert_true(csv_exists("20261125T231900Z-2.csv"));
	assert_int_equal(access(path, F_OK), 0);

	/* keep_sessions = 1: only the session being recorded. */
	records_reconfigure(&rec, state_dir, 1);
	run_session(700.0, 1.0, wall_at(10));
	assert_int_equal(count_csvs(), 1);
	assert_true(csv_exists("20261125T232500Z.csv"));
	/* The summaries are all kept: sessions.jsonl is never pruned. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 100, collect, &got), 7);
}

static const char *started_of(int i, char *buf, size_t len)
{
	snprintf(buf, len, "%s", reply_str(json_read(got.line[i], strlen(got.line[i])), "started", ""));
	return buf;
}

static void test_list_last_n_oldest_first(void **state)
{
	char s[64];

	(void)state;
	records_init(&rec, state_dir, 100);
	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 10, collect, &got), 0);       /* no file yet */
	for (int i = 0; i < 5; i++)
		run_session(100.0 * i, 1.0, wall_at(i));

	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 2, collect, &got), 2);
	assert_string_equal(started_of(0, s, sizeof(s)), "2026-11-25T23:18:00Z");
	assert_string_equal(started_of(1, s, sizeof(s)), "2026-11-25T23:19:00Z");

	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 100, collect, &got), 5);
	assert_string_equal(started_of(0, s, sizeof(s)), "2026-11-25T23:15:00Z");
	assert_string_equal(started_of(4, s, sizeof(s)), "2026-11-25T23:19:00Z");

	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 0, collect, &got), 0);
}

static void test_torn_and_garbage_lines(void **state)
{
	char path[256], s[64], text[16384];

	(void)state;
	records_init(&rec, state_dir, 100);
	run_session(0.0, 1.0, wall_at(0));
	snprintf(path, sizeof(path), "%s/sessions.jsonl", state_dir);
	/* A garbage line, then a line torn by a power cut (no newline). */
	int fd = open(path, O_WRONLY | O_APPEND);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not json\n{\"started\":\"2026-11-", 29), 29);
	close(fd);

	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 10, collect, &got), 1);       /* the torn tail is left out */

	/* The next summary ends the torn line first: it stays whole. */
	run_session(100.0, 1.0, wall_at(1));
	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 10, collect, &got), 2);
	assert_string_equal(started_of(0, s, sizeof(s)), "2026-11-25T23:15:00Z");
	assert_string_equal(started_of(1, s, sizeof(s)), "2026-11-25T23:16:00Z");
	int n = read_file(path, text, sizeof(text));

	assert_true(n > 0);
	assert_non_null(strstr(text, "{\"started\":\"2026-11-\n{\"started\":\"2026-11-25T23:16:00Z\""));

	/* An overlong line (longer than RECORDS_LINE_MAX) is skipped whole. */
	fd = open(path, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	static char big[RECORDS_LINE_MAX + 100];

	memset(big, 'x', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(write(fd, big, sizeof(big)), (ssize_t)sizeof(big));
	close(fd);
	run_session(200.0, 1.0, wall_at(2));
	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 10, collect, &got), 3);
	assert_string_equal(started_of(2, s, sizeof(s)), "2026-11-25T23:17:00Z");
}

static void test_list_json_keeps_the_newest_that_fit(void **state)
{
	char buf[65536], small[1500];

	(void)state;
	records_init(&rec, state_dir, 100);
	assert_int_equal(records_list_json(state_dir, 10, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "[]");
	for (int i = 0; i < 4; i++)
		run_session(100.0 * i, 1.0, wall_at(i));
	assert_int_equal(records_list_json(state_dir, 10, buf, sizeof(buf)), 4);
	assert_int_equal(reply_count(json_read(buf, strlen(buf))), 4);

	/* Room for about half of them: the newest that fit. */
	size_t half = strlen(buf) / 2 + 16;   /* two lines, their comma, the brackets, the NUL */

	assert_true(half < sizeof(small));
	int n = records_list_json(state_dir, 10, small, half);

	assert_int_equal(n, 2);
	const struct json_object *list = json_read(small, strlen(small));

	assert_int_equal(reply_count(list), n);
	assert_string_equal(reply_str(reply_at(list, (size_t)n - 1), "started", ""), "2026-11-25T23:18:00Z");
	assert_int_equal(records_list_json(state_dir, 10, small, 2), -1);
}

static void test_state_dir_that_cannot_exist(void **state)
{
	char path[256], file[128];

	(void)state;
	/* A regular file where a directory should be: ENOTDIR, logged, never fatal. */
	snprintf(file, sizeof(file), "%s/file", dir);
	int fd = open(file, O_CREAT | O_WRONLY, 0600);

	assert_true(fd >= 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/sub", file);
	assert_int_equal(records_init(&rec, path, 100), -1);
	run_session(0.0, 2.0, wall_at(0));      /* every call returns, none crashes */
	assert_int_equal(rec.fd, -1);
	assert_int_equal(records_list(path, 10, collect, &got), -1);
}

static void test_full_disk_mid_session(void **state)
{
	char why[256], path[256];

	(void)state;
	if (access("/dev/full", W_OK) < 0)
		skip();
	records_init(&rec, state_dir, 100);
	tick(0.0, 33.0);
	assert_int_equal(controller_start(&ctl, NULL, 0.0, why, sizeof(why)), 0);
	records_session_start(&rec, &ctl, 0.0, wall_at(0), NULL);
	assert_true(rec.fd >= 0);
	/* The disk fills: every write now fails with ENOSPC. */
	close(rec.fd);
	rec.fd = open("/dev/full", O_WRONLY);
	assert_true(rec.fd >= 0);
	for (int i = 1; i <= 30; i++) {
		tick(0.1 * i, 33.0);
		records_tick(&rec, &ctl, 0.1 * i);
	}
	assert_int_equal(rec.fd, -1);           /* given up after the first failure */
	assert_int_equal(controller_stop(&ctl, 3.05), 0);
	records_session_end(&rec, &ctl, 3.05, NULL);
	/* The summary still names the CSV, which holds what was written before. */
	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 10, collect, &got), 1);
	assert_non_null(strstr(got.line[0], "\"csv\":\"sessions/20261125T231500Z.csv\""));
	snprintf(path, sizeof(path), "%s/sessions/20261125T231500Z.csv", state_dir);
	assert_int_equal(access(path, F_OK), 0);
}

static void test_fault_event_and_summary(void **state)
{
	char why[256], path[256], text[8192];

	(void)state;
	records_init(&rec, state_dir, 100);
	tick(0.0, 33.0);
	assert_int_equal(controller_start(&ctl, NULL, 0.0, why, sizeof(why)), 0);
	records_session_start(&rec, &ctl, 0.0, wall_at(0), "--start");
	tick(0.1, 33.05);
	records_tick(&rec, &ctl, 0.1);
	controller_output_error(&ctl, 0.15, 1);
	records_session_end(&rec, &ctl, 0.15, NULL);

	snprintf(path, sizeof(path), "%s/sessions/20261125T231500Z.csv", state_dir);
	assert_true(read_file(path, text, sizeof(text)) > 0);
	assert_non_null(strstr(text, ",start default --start\n"));
	assert_non_null(strstr(text, "end fault: output-error in zone right"));
	memset(&got, 0, sizeof(got));
	assert_int_equal(records_list(state_dir, 1, collect, &got), 1);
	assert_non_null(strstr(got.line[0], "\"result\":\"fault\""));
	assert_non_null(strstr(got.line[0], "\"kind\":\"output-error\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init_makes_the_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_session_csv_and_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_same_second_gets_a_suffix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_keeps_the_newest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_never_run_out, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_many_in_slices, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_last_n_oldest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_and_garbage_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_json_keeps_the_newest_that_fit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_dir_that_cannot_exist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_disk_mid_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_event_and_summary, setup, teardown),
	};

	/* Errors are expected here (a missing directory, a full disk): keep the output short. */
	log_set_max_level(LOG_LEVEL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
