/* SPDX-License-Identifier: MIT */
/*
 * The syncer thread (daemon/syncer.h): the loop's asks return while the
 * storage is still busy with an earlier one (fdatasync held at a gate
 * here, so nothing depends on timing); asks made meanwhile coalesce into
 * one more fdatasync, of the same file; a failure comes back to the loop
 * once; ledger saves land whole, the newest queued one wins; drain and
 * stop wait for what is queued; with no thread everything is done on the
 * spot. fdatasync is wrapped (-Wl,--wrap=fdatasync).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "daemon/syncer.h"
#include "lib/log.h"

/* ---- fdatasync, held at a gate the test opens ---- */

int __real_fdatasync(int fd);
int __wrap_fdatasync(int fd);

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static bool gate_open = true;
static int calls;               /* fdatasync calls so far */
static int in_call;             /* calls waiting at the gate */
static ino_t last_ino;
static int fail_with;           /* errno to fail with, 0: the real call */

int __wrap_fdatasync(int fd)
{
	struct stat st;
	int e;

	pthread_mutex_lock(&gate_lock);
	calls++;
	if (fstat(fd, &st) == 0)
		last_ino = st.st_ino;
	in_call++;
	pthread_cond_broadcast(&gate_cv);
	while (!gate_open)
		pthread_cond_wait(&gate_cv, &gate_lock);
	in_call--;
	e = fail_with;
	pthread_mutex_unlock(&gate_lock);
	if (e) {
		errno = e;
		return -1;
	}
	return __real_fdatasync(fd);
}

static void gate_set(bool open)
{
	pthread_mutex_lock(&gate_lock);
	gate_open = open;
	pthread_cond_broadcast(&gate_cv);
	pthread_mutex_unlock(&gate_lock);
}

/* Wait until the thread is inside fdatasync, held at the closed gate. */
static void wait_in_call(void)
{
	pthread_mutex_lock(&gate_lock);
	while (in_call == 0)
		pthread_cond_wait(&gate_cv, &gate_lock);
	pthread_mutex_unlock(&gate_lock);
}

static int get_calls(void)
{
	pthread_mutex_lock(&gate_lock);
	int n = calls;

	pthread_mutex_unlock(&gate_lock);
	return n;
}

/* ---- fixtures ---- */

static char dir[64];
static char file_path[128];
static int fd = -1;
static ino_t file_ino;

static int setup(void **state)
{
	struct stat st;

	(void)state;
	log_set_max_level((enum log_level)0);
	snprintf(dir, sizeof(dir), "/tmp/contrastd-syncer-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(file_path, sizeof(file_path), "%s/rows.csv", dir);
	fd = open(file_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	file_ino = st.st_ino;
	gate_set(true);
	calls = 0;
	fail_with = 0;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	gate_set(true);
	if (fd >= 0)
		close(fd);
	fd = -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void ledger_with(struct dose_ledger *l, double heat_min)
{
	static const char *const names[2] = { "left", "right" };
	struct dose_amount planned = { heat_min, 2.0 };

	memset(l, 0, sizeof(*l));
	dose_ledger_open(l, 1000.0, 4600.0, names, 2, planned);
}

/* ---- the tests ---- */

static void test_ask_returns_while_the_storage_waits(void **state)
{
	struct syncer s;
	char err[256];
	int failed = -1;

	(void)state;
	assert_int_equal(syncer_start(&s, err, sizeof(err)), 0);
	gate_set(false);
	assert_int_equal(write(fd, "a\n", 2), 2);
	assert_true(syncer_datasync(&s, fd, &failed));
	assert_int_equal(failed, 0);
	wait_in_call();                 /* the thread is in fdatasync, and the loop is here: not waiting */
	assert_int_equal(get_calls(), 1);
	assert_true(last_ino == file_ino);      /* the same file, through the thread's own dup */

	/* Three more asks while it waits: one more fdatasync covers them all. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(write(fd, "b\n", 2), 2);
		while (!syncer_datasync(&s, fd, &failed))
			;
	}
	/* The loop may close its own descriptor at once: the thread holds a dup. */
	close(fd);
	fd = -1;
	gate_set(true);
	syncer_drain(&s);
	assert_int_equal(get_calls(), 2);
	assert_true(last_ino == file_ino);
	syncer_stop(&s);
}

static void test_a_failure_comes_back_once(void **state)
{
	struct syncer s;
	char err[256], why[SYNCER_WHY_MAX];
	int failed, csv_errno;
	bool ledger_failed;

	(void)state;
	assert_int_equal(syncer_start(&s, err, sizeof(err)), 0);
	fail_with = EIO;
	assert_true(syncer_datasync(&s, fd, &failed));
	assert_int_equal(failed, 0);    /* asked: the result comes later */
	syncer_drain(&s);
	assert_true(syncer_take_result(&s, &csv_errno, &ledger_failed, why, sizeof(why)));
	assert_int_equal(csv_errno, EIO);
	assert_false(ledger_failed);
	assert_true(syncer_take_result(&s, &csv_errno, &ledger_failed, why, sizeof(why)));
	assert_int_equal(csv_errno, 0);
	syncer_stop(&s);
}

static void test_asks_while_the_thread_holds_the_lock_are_refused(void **state)
{
	struct syncer s;
	struct dose_ledger l;
	char err[256], why[SYNCER_WHY_MAX];
	int failed, csv_errno;
	bool saved, ledger_failed;

	(void)state;
	assert_int_equal(syncer_start(&s, err, sizeof(err)), 0);
	ledger_with(&l, 1.0);
	pthread_mutex_lock(&s.lock);    /* as the thread does while it takes a job */
	assert_false(syncer_datasync(&s, fd, &failed));
	assert_false(syncer_save_ledger(&s, dir, &l, &saved, why, sizeof(why)));
	assert_false(syncer_take_result(&s, &csv_errno, &ledger_failed, why, sizeof(why)));
	pthread_mutex_unlock(&s.lock);
	syncer_drain(&s);
	assert_int_equal(get_calls(), 0);       /* nothing was queued */
	syncer_stop(&s);
}

static void test_ledger_saves_land_whole_and_the_newest_wins(void **state)
{
	struct syncer s;
	struct dose_ledger l, back;
	char err[256], why[SYNCER_WHY_MAX];
	bool saved;

	(void)state;
	assert_int_equal(syncer_start(&s, err, sizeof(err)), 0);
	/* Keep the thread busy at the gate, then queue two ledgers: the second replaces the first. */
	gate_set(false);
	assert_true(syncer_datasync(&s, fd, NULL));
	wait_in_call();
	ledger_with(&l, 1.0);
	assert_true(syncer_save_ledger(&s, dir, &l, &saved, why, sizeof(why)));
	assert_true(saved);
	ledger_with(&l, 2.5);
	assert_true(syncer_save_ledger(&s, dir, &l, &saved, why, sizeof(why)));
	ledger_with(&l, 9.0);           /* the loop's own copy changes after the ask: not what is saved */
	gate_set(true);
	syncer_drain(&s);
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), 0);
	assert_int_equal(back.n, 1);
	assert_true(back.e[0].dose[0].heat_min == 2.5);
	syncer_stop(&s);
}

static void test_a_ledger_that_cannot_be_saved_says_why(void **state)
{
	struct syncer s;
	struct dose_ledger l;
	char err[256], why[SYNCER_WHY_MAX], where[160];
	int csv_errno;
	bool saved, ledger_failed;

	(void)state;
	assert_int_equal(syncer_start(&s, err, sizeof(err)), 0);
	ledger_with(&l, 1.0);
	/* A state_dir under a regular file cannot be made. */
	snprintf(where, sizeof(where), "%s/state", file_path);
	assert_true(syncer_save_ledger(&s, where, &l, &saved, why, sizeof(why)));
	syncer_drain(&s);
	assert_true(syncer_take_result(&s, &csv_errno, &ledger_failed, why, sizeof(why)));
	assert_true(ledger_failed);
	assert_non_null(strstr(why, where));
	syncer_stop(&s);
}

static void test_stop_finishes_what_is_queued(void **state)
{
	struct syncer s;
	struct dose_ledger l, back;
	char err[256], why[SYNCER_WHY_MAX];
	bool saved;

	(void)state;
	assert_int_equal(syncer_start(&s, err, sizeof(err)), 0);
	ledger_with(&l, 3.0);
	assert_true(syncer_save_ledger(&s, dir, &l, &saved, why, sizeof(why)));
	assert_true(syncer_datasync(&s, fd, NULL));
	syncer_stop(&s);
	assert_int_equal(get_calls(), 1);
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), 0);
	assert_true(back.e[0].dose[0].heat_min == 3.0);
	syncer_stop(&s);                /* twice is harmless */
}

static void test_without_a_thread_everything_is_done_on_the_spot(void **state)
{
	struct dose_ledger l, back;
	char why[SYNCER_WHY_MAX], where[160];
	int failed, csv_errno;
	bool saved, ledger_failed;

	(void)state;
	assert_true(syncer_datasync(NULL, fd, &failed));
	assert_int_equal(failed, 0);
	assert_int_equal(get_calls(), 1);
	fail_with = EIO;
	assert_true(syncer_datasync(NULL, fd, &failed));
	assert_int_equal(failed, EIO);
	ledger_with(&l, 4.0);
	assert_true(syncer_save_ledger(NULL, dir, &l, &saved, why, sizeof(why)));
	assert_true(saved);
	assert_int_equal(state_load_ledger(dir, &back, why, sizeof(why)), 0);
	assert_true(back.e[0].dose[0].heat_min == 4.0);
	snprintf(where, sizeof(where), "%s/state", file_path);
	assert_true(syncer_save_ledger(NULL, where, &l, &saved, why, sizeof(why)));
	assert_false(saved);
	assert_non_null(strstr(why, where));
	syncer_drain(NULL);
	assert_true(syncer_take_result(NULL, &csv_errno, &ledger_failed, why, sizeof(why)));
	assert_int_equal(csv_errno, 0);
	assert_false(ledger_failed);
	syncer_stop(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ask_returns_while_the_storage_waits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_failure_comes_back_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_asks_while_the_thread_holds_the_lock_are_refused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ledger_saves_land_whole_and_the_newest_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_ledger_that_cannot_be_saved_says_why, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_finishes_what_is_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_without_a_thread_everything_is_done_on_the_spot, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
