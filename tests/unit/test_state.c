/* SPDX-License-Identifier: MIT */
/*
 * What survives a restart (daemon/state.h): each file round-trips; a
 * missing one is the empty state; one that is damaged, a symlink, cut
 * short, of another version or not a regular file is never taken as
 * empty: the ledger counts as used up, the latch as latched, the lockout
 * as locked, the calibration as unknown. No temporary file is left.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/state.h"
#include "lib/log.h"

static char dir[64], path[128];
static const char *const names[2] = { "left", "right" };

static int setup(void **state)
{
	(void)state;
	log_set_max_level((enum log_level)0);
	snprintf(dir, sizeof(dir), "/tmp/contrastd-state-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *file(const char *name)
{
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

static void write_text(const char *name, const char *text)
{
	FILE *f = fopen(file(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Flip one byte in the middle of the file: the CRC must catch it. */
static void damage(const char *name)
{
	FILE *f = fopen(file(name), "r+");

	assert_non_null(f);
	fseek(f, 30, SEEK_SET);
	int c = fgetc(f);

	fseek(f, 30, SEEK_SET);
	fputc(c == '1' ? '2' : '1', f);
	fclose(f);
}

static void no_temporary_files(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strstr(de->d_name, ".tmp"))
			fail_msg("a temporary file was left: %s", de->d_name);
	closedir(d);
}

static void test_ledger(void **state)
{
	struct dose_ledger l, back;
	struct dose_amount planned = { 1.25, 3.5 }, used[2] = { { 0.5, 1.0 }, { 0.25, 2.0 } };
	char why[512];

	(void)state;
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), 0);     /* missing: empty */
	assert_int_equal(back.n, 0);
	assert_false(back.unreadable);
	memset(&l, 0, sizeof(l));
	int i = dose_ledger_open(&l, 1000.0, 3700.0, names, 2, planned);

	dose_ledger_close(&l, i, 2000.5, used);
	dose_ledger_open(&l, 3000.0, 6000.0, names, 2, planned);
	assert_int_equal(state_save_ledger(dir, &l, why, sizeof(why)), 0);
	no_temporary_files();
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), 0);
	assert_int_equal(back.n, 2);
	assert_false(back.e[0].open);
	assert_true(back.e[1].open);
	assert_true(fabs(back.e[0].t_s - 2000.5) < 1e-3);
	assert_string_equal(back.e[0].zone[1], "right");
	assert_true(back.e[0].dose[1].cold_min == 2.0);
	assert_true(back.e[1].dose[0].heat_min == 1.25);

	damage(STATE_LEDGER);
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), -1);
	assert_true(back.unreadable);
	assert_non_null(strstr(why, "damaged"));

	write_text(STATE_LEDGER, "contrastd-dose-ledger 1\nsession 1 open 1 left 1 2\n");
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cut short"));
	assert_true(back.unreadable);
}

static void test_latch(void **state)
{
	struct fault f = { .kind = FAULT_OVER_TEMPERATURE, .zone = 1, .value = 42.25, .limit = 42.0, .at_s = 615.5 };
	struct fault back;
	bool present;
	char why[512];

	(void)state;
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), 0);
	assert_false(present);
	snprintf(f.sensor, sizeof(f.sensor), "pad");
	snprintf(f.detail, sizeof(f.detail), "predicted");
	assert_int_equal(state_save_latch(dir, &f, names, 2, 1e9, why, sizeof(why)), 0);
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), 0);
	assert_true(present);
	assert_int_equal(back.kind, FAULT_OVER_TEMPERATURE);
	assert_int_equal(back.zone, 1);
	assert_string_equal(back.sensor, "pad");
	assert_string_equal(back.detail, "predicted");
	assert_true(back.value == 42.25 && back.limit == 42.0 && back.at_s == 615.5);
	/* A zone no longer configured comes back as no zone, still latched. */
	assert_int_equal(state_load_latch(dir, names, 1, &back, &present, why, sizeof(why)), 0);
	assert_int_equal(back.zone, -1);
	/* Damaged: latched as latch-unreadable. */
	damage(STATE_LATCH);
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), -1);
	assert_true(present);
	assert_int_equal(back.kind, FAULT_LATCH_UNREADABLE);
	/* Another version. */
	write_text(STATE_LATCH, "contrastd-latch 7\nend 00000000\n");
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), -1);
	/* Acknowledged: gone, and gone twice is fine. */
	assert_int_equal(state_clear_latch(dir, why, sizeof(why)), 0);
	assert_int_equal(state_clear_latch(dir, why, sizeof(why)), 0);
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), 0);
	assert_false(present);
	/* A symlink planted where the latch goes is not followed: unreadable, latched. */
	assert_int_equal(symlink("/etc/passwd", file(STATE_LATCH)), 0);
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), -1);
	assert_true(present);
	assert_non_null(strstr(why, "symbolic link"));
	/* Saving replaces the link itself, never writes through it. */
	assert_int_equal(state_save_latch(dir, &f, names, 2, 1e9, why, sizeof(why)), 0);
	struct stat st;

	assert_int_equal(lstat(file(STATE_LATCH), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* A directory where the file goes: unreadable. */
	unlink(file(STATE_LATCH));
	assert_int_equal(mkdir(file(STATE_LATCH), 0700), 0);
	assert_int_equal(state_load_latch(dir, names, 2, &back, &present, why, sizeof(why)), -1);
	rmdir(file(STATE_LATCH));
}

static void test_lockout(void **state)
{
	struct lockout lo, back;
	char why[512];

	(void)state;
	lockout_init(&lo);
	lockout_record(&lo, 2, FAULT_RUNAWAY, "left", 100.0);
	lockout_record(&lo, 2, FAULT_LOOP_OVERRUN, "", 150.0);
	lockout_record(&lo, 2, FAULT_RUNAWAY, "left", 200.0);
	assert_true(lo.locked);
	assert_int_equal(state_save_lockout(dir, &lo, why, sizeof(why)), 0);
	assert_int_equal(state_load_lockout(dir, &back, why, sizeof(why)), 0);
	assert_true(back.locked);
	assert_int_equal(back.n, 3);
	assert_int_equal(back.cause.kind, FAULT_RUNAWAY);
	assert_string_equal(back.cause.zone, "left");
	assert_string_equal(back.ev[1].zone, "");
	assert_int_equal(back.count, 2);
	lockout_clear(&back, 300.0, "alice (uid 0) via sudo");
	assert_int_equal(state_save_lockout(dir, &back, why, sizeof(why)), 0);
	assert_int_equal(state_load_lockout(dir, &lo, why, sizeof(why)), 0);
	assert_false(lockout_locked(&lo));
	assert_string_equal(lo.cleared_by, "alice (uid 0) via sudo");
	damage(STATE_LOCKOUT);
	assert_int_equal(state_load_lockout(dir, &lo, why, sizeof(why)), -1);
	assert_true(lockout_locked(&lo));
}

static void test_calibration(void **state)
{
	struct state_calibration c, back;
	struct thermistor_params t = { .beta = 3950, .r25_ohm = 10000, .series_ohm = 10000, .supply_mv = 3300 };
	char why[512], id[160];

	(void)state;
	memset(&c, 0, sizeof(c));
	state_thermistor_id(&t, c.thermistor, sizeof(c.thermistor));
	struct state_cal_entry *e = state_cal_slot(&c, "left", 0);

	e->cal.calibrated = true;
	e->cal.gain = 1.0123;
	e->cal.offset = -0.456;
	e->cal.from[0] = (struct cal_point){ 25.1, 25.0 };
	e->cal.from[1] = (struct cal_point){ 40.2, 40.0 };
	e = state_cal_slot(&c, "left", 1);
	e->cal.pending = true;
	e->cal.point = (struct cal_point){ 30.5, 30.0 };
	assert_int_equal(state_save_calibration(dir, &c, why, sizeof(why)), 0);
	assert_int_equal(state_load_calibration(dir, &back, why, sizeof(why)), 0);
	assert_int_equal(back.n, 2);
	state_thermistor_id(&t, id, sizeof(id));
	assert_string_equal(back.thermistor, id);
	e = state_cal_find(&back, "left", 0);
	assert_non_null(e);
	assert_true(e->cal.calibrated && e->cal.gain == 1.0123 && e->cal.offset == -0.456);
	e = state_cal_find(&back, "left", 1);
	assert_true(e->cal.pending && !e->cal.calibrated && e->cal.point.reading_c == 30.5);
	assert_null(state_cal_find(&back, "right", 0));
	/* Another Beta is another thermistor. */
	t.beta = 3435;
	state_thermistor_id(&t, id, sizeof(id));
	assert_string_not_equal(back.thermistor, id);
	/* A gain outside the limits in the file is not taken. */
	write_text(STATE_CALIBRATION, "contrastd-calibration 1\nthermistor x\nsensor left pad 1.5 0 1 1 2 2\n");
	assert_int_equal(state_load_calibration(dir, &back, why, sizeof(why)), -1);
	assert_true(back.unreadable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ledger, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_calibration, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
