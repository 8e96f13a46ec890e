/* SPDX-License-Identifier: MIT */
/*
 * src/hw/iio_sensors.c against the real libiio, reading a sysfs tree that
 * looks like the kernel's ti-ads1015 driver (and a few other shapes), on
 * a tmpfs mounted over /sys/bus in a private mount namespace. Not a unit
 * test: tests/process/test_iio_sysfs.sh and test_iiod.sh build and run it
 * inside the namespace.
 *
 *   iio_sysfs --build-tree       write the tree (refuses unless /sys/bus is a tmpfs)
 *   iio_sysfs URI                the cases, through "local:" or "ip:127.0.0.1"
 *   iio_sysfs --conn-loss URI PID   kill iiod (PID) between two reads
 *
 * sysfs values end in a newline, and so must these: libiio overwrites a
 * value's last byte, assuming it is the newline.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>
#include <cmocka.h>
#include "../unit/test_assert.h"

#include "core/sensor.h"
#include "core/thermistor.h"
#include "hw/iio_sensors.h"
#include "ads1015_tree.h"

#define DEVICES "/sys/bus/iio/devices"
#define ADS     DEVICES "/iio:device0"

static const char *uri = "local:";

/* The reference build's dividers: 10 kOhm NTC (Beta 3950) to ground, 10 kOhm to 3.3 V. */
static const struct thermistor_params ntc = {
	.beta = 3950.0, .r25_ohm = 10000.0, .series_ohm = 10000.0, .supply_mv = 3300.0,
	.ntc_to = NTC_TO_GROUND,
};



static void dev_dir(char *buf, size_t len, int n)
{
	snprintf(buf, len, DEVICES "/iio:device%d", n);
	tree_mkdir(buf);
}

/* Never write into a real sysfs. */
static bool in_test_namespace(void)
{
	struct statfs st;

	return statfs("/sys/bus", &st) == 0 && st.f_type == TMPFS_MAGIC;
}

static int build_tree(void)
{
	char d[256];

	if (!in_test_namespace()) {
		fprintf(stderr, "iio_sysfs: /sys/bus is not a tmpfs: run me in the test's mount namespace\n");
		return 1;
	}
	tree_mkdir("/sys/bus/iio");
	tree_mkdir(DEVICES);

	/* ti-ads1015 as it binds an ADS1115, at the gain contrastd needs: 16-bit raw, scale in mV per count. */
	dev_dir(d, sizeof(d), 0);
	tree_ads1015(d, ADS1015_SCALE_4096_MV, 860, 13200);    /* 1650 mV: 25 C */

	/* A temperature sensor with raw, offset and scale: (2000 - 500) * 12.5 = 18750 mC. */
	dev_dir(d, sizeof(d), 1);
	tree_put(d, "name", "tmp-offset");
	tree_put(d, "in_temp_raw", "2000");
	tree_put(d, "in_temp_offset", "-500");
	tree_put(d, "in_temp_scale", "12.5");

	/* Processed channels, a channel with neither input nor raw, one of another type. */
	dev_dir(d, sizeof(d), 2);
	tree_put(d, "name", "processed");
	tree_put(d, "in_temp0_input", "36600");
	tree_put(d, "in_voltage0_input", "1650.5");
	tree_put(d, "in_voltage5_scale", "1.0");
	tree_put(d, "in_current0_raw", "7");

	/* Two devices with one name. */
	dev_dir(d, sizeof(d), 3);
	tree_put(d, "name", "twin");
	tree_put(d, "in_voltage0_raw", "1");
	dev_dir(d, sizeof(d), 4);
	tree_put(d, "name", "twin");
	tree_put(d, "in_voltage0_raw", "2");
	return 0;
}

static void open_set(struct iio_sensors *set)
{
	char err[512];

	if (iio_sensors_open(set, uri, err, sizeof(err)) < 0) {
		print_error("%s\n", err);
		fail();
	}
}

static int add(struct iio_sensors *set, const char *spec)
{
	char err[1024];
	int i = iio_sensors_add(set, spec, err, sizeof(err));

	if (i < 0) {
		print_error("%s\n", err);
		fail();
	}
	return i;
}

/* Readings at known temperatures through the ADS1115's raw and scale and the NTC maths. */
static void test_known_temperatures(void **state)
{
	static const double temps[] = { 10.0, 20.0, 25.0, 33.3, 39.0, 42.0 };
	struct iio_sensors set;
	struct sensor_sample s;
	struct reading r;

	(void)state;
	open_set(&set);
	int by_name = add(&set, "ads1015/voltage0");
	int by_id = add(&set, "iio:device0/voltage0");

	assert_int_not_equal(by_name, by_id);
	for (size_t i = 0; i < sizeof(temps) / sizeof(temps[0]); i++) {
		double mv = thermistor_ohm_to_mv(&ntc, thermistor_c_to_ohm(&ntc, temps[i]));
		long raw = lround(mv / ADS1015_SCALE_4096_MV);

		tree_put(ADS, "in_voltage0_raw", "%ld", raw);
		for (int k = 0; k < 2; k++) {
			assert_int_equal(iio_sensors_read(&set, k ? by_id : by_name, 1.0, &s), 0);
			assert_true(s.ok);
			assert_int_equal(s.unit, SAMPLE_MV);
			assert_int_equal(s.raw, raw);
			assert_near(s.value, raw * ADS1015_SCALE_4096_MV, 1e-9);
			sensor_interpret(&ntc, &s, &r);
			assert_int_equal(r.status, READING_OK);
			/* One count is 0.125 mV: a few thousandths of a degree. */
			assert_near(r.temp_c, temps[i], 0.01);
		}
	}
	tree_put(ADS, "in_voltage0_raw", "13200");
	iio_sensors_close(&set);
}

/* "0123" is one hundred and twenty-three, not octal 83. */
static void test_leading_zero_is_decimal(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s;

	(void)state;
	open_set(&set);
	int i = add(&set, "ads1015/voltage2");

	tree_put(ADS, "in_voltage2_raw", "0123");
	assert_int_equal(iio_sensors_read(&set, i, 1.0, &s), 0);
	assert_int_equal(s.raw, 123);
	tree_put(ADS, "in_voltage2_raw", "-0042");
	assert_int_equal(iio_sensors_read(&set, i, 1.0, &s), 0);
	assert_int_equal(s.raw, -42);
	tree_put(ADS, "in_voltage2_raw", "13200");
	iio_sensors_close(&set);
}

static void test_missing_channel(void **state)
{
	struct iio_sensors set;
	char err[1024];

	(void)state;
	open_set(&set);
	assert_int_equal(iio_sensors_add(&set, "ads1015/voltage7", err, sizeof(err)), -1);
	assert_contains(err, "ads1015/voltage7: IIO device ads1015 (iio:device0) has no input channel 'voltage7'");
	assert_contains(err, "voltage0");
	assert_contains(err, "voltage3");
	assert_contains(err, "voltage0-voltage1");
	iio_sensors_close(&set);
}

static void test_missing_device(void **state)
{
	struct iio_sensors set;
	char err[1024];

	(void)state;
	open_set(&set);
	assert_int_equal(iio_sensors_add(&set, "ads9999/voltage0", err, sizeof(err)), -1);
	assert_contains(err, "no IIO device 'ads9999' in context ");
	assert_contains(err, "iio:device0 (ads1015)");
	assert_contains(err, "iio:device1 (tmp-offset)");
	iio_sensors_close(&set);
}

static void test_missing_attribute(void **state)
{
	struct iio_sensors set;
	char err[1024];

	(void)state;
	open_set(&set);
	assert_int_equal(iio_sensors_add(&set, "processed/voltage5", err, sizeof(err)), -1);
	assert_contains(err, "channel voltage5 of processed (iio:device2) has neither an 'input' nor a 'raw' "
			"attribute (it has: scale)");
	assert_int_equal(iio_sensors_add(&set, "processed/current0", err, sizeof(err)), -1);
	assert_contains(err, "neither a voltage");
	assert_int_equal(iio_sensors_add(&set, "ads1015", err, sizeof(err)), -1);
	assert_contains(err, "expected DEVICE/CHANNEL");
	iio_sensors_close(&set);
}

static void test_ambiguous_name(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s;
	char err[1024];

	(void)state;
	open_set(&set);
	assert_int_equal(iio_sensors_add(&set, "twin/voltage0", err, sizeof(err)), -1);
	assert_contains(err, "more than one IIO device is called 'twin'");
	assert_contains(err, "iio:device3");
	assert_contains(err, "iio:device4");
	int i = add(&set, "iio:device4/voltage0");

	assert_int_equal(iio_sensors_read(&set, i, 1.0, &s), 0);
	assert_int_equal(s.raw, 2);
	iio_sensors_close(&set);
}

static void test_same_spec_same_index(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s[IIO_SENSORS_MAX];

	(void)state;
	open_set(&set);
	assert_int_equal(add(&set, "ads1015/voltage1"), 0);
	assert_int_equal(add(&set, "ads1015/voltage3"), 1);
	assert_int_equal(add(&set, "ads1015/voltage1"), 0);
	assert_int_equal(set.n, 2);
	iio_sensors_read_all(&set, 1.0, s);
	assert_true(s[0].ok && s[1].ok);
	assert_near(s[1].value, 1650.0, 1e-9);
	iio_sensors_close(&set);
}

/* A removed, unreadable or garbled file: ok = false and NaN, never the old value; and back. */
static void test_read_errors(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s;

	(void)state;
	open_set(&set);
	int i = add(&set, "ads1015/voltage3");

	assert_int_equal(iio_sensors_read(&set, i, 1.0, &s), 0);
	assert_true(s.ok);

	assert_int_equal(unlink(ADS "/in_voltage3_raw"), 0);
	assert_int_equal(iio_sensors_read(&set, i, 1.1, &s), -ENOENT);
	assert_false(s.ok);
	assert_true(isnan(s.value));

	/* Unreadable even for root: a directory where the value was. */
	assert_int_equal(mkdir(ADS "/in_voltage3_raw", 0755), 0);
	assert_true(iio_sensors_read(&set, i, 1.2, &s) < 0);
	assert_false(s.ok);
	assert_int_equal(rmdir(ADS "/in_voltage3_raw"), 0);

	tree_put(ADS, "in_voltage3_raw", "12ab");
	assert_int_equal(iio_sensors_read(&set, i, 1.3, &s), -EINVAL);
	assert_false(s.ok);

	/* A scale gone is a failed read too: never a sample scaled by a remembered one. */
	tree_put(ADS, "in_voltage3_raw", "13200");
	assert_int_equal(unlink(ADS "/in_voltage3_scale"), 0);
	assert_true(iio_sensors_read(&set, i, 1.4, &s) < 0);
	assert_false(s.ok);
	tree_put(ADS, "in_voltage3_scale", "0.125000000");

	assert_int_equal(iio_sensors_read(&set, i, 1.5, &s), 0);
	assert_true(s.ok);
	assert_near(s.value, 1650.0, 1e-9);
	iio_sensors_close(&set);
}

/* (raw + offset) * scale in millidegrees, to degrees; offset and scale read with every sample. */
static void test_temp_offset_scale(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s;

	(void)state;
	open_set(&set);
	int i = add(&set, "tmp-offset/temp");

	assert_int_equal(iio_sensors_read(&set, i, 1.0, &s), 0);
	assert_int_equal(s.unit, SAMPLE_C);
	assert_int_equal(s.raw, 2000);
	assert_near(s.value, 18.75, 1e-9);
	tree_put(DEVICES "/iio:device1", "in_temp_offset", "-400");
	assert_int_equal(iio_sensors_read(&set, i, 1.1, &s), 0);
	assert_near(s.value, 20.0, 1e-9);
	tree_put(DEVICES "/iio:device1", "in_temp_offset", "-500");
	iio_sensors_close(&set);
}

static void test_processed_input(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s;
	struct reading r;

	(void)state;
	open_set(&set);
	int t = add(&set, "processed/temp0");
	int v = add(&set, "processed/voltage0");

	assert_int_equal(iio_sensors_read(&set, t, 1.0, &s), 0);
	assert_int_equal(s.unit, SAMPLE_C);
	assert_near(s.value, 36.6, 1e-9);
	sensor_interpret(&ntc, &s, &r);
	assert_int_equal(r.status, READING_OK);
	assert_near(r.temp_c, 36.6, 1e-9);
	assert_int_equal(iio_sensors_read(&set, v, 1.0, &s), 0);
	assert_int_equal(s.unit, SAMPLE_MV);
	assert_near(s.value, 1650.5, 1e-9);
	assert_int_equal(s.raw, 1650500);       /* thousandths of the input's unit */
	iio_sensors_close(&set);
}

/* The log: the first failure at once, then one line per 10 s, and one when it reads again. */
static void test_failure_log_is_rate_limited(void **state)
{
	struct iio_sensors set;
	struct sensor_sample s;
	char path[] = "/tmp/iio_sysfs_log_XXXXXX", line[512];
	int saved = dup(STDERR_FILENO), fd = mkstemp(path);
	int failing = 0, again = 0;

	(void)state;
	assert_true(saved >= 0 && fd >= 0);
	open_set(&set);
	int i = add(&set, "ads1015/voltage1");

	assert_int_equal(unlink(ADS "/in_voltage1_raw"), 0);
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	for (int k = 0; k < 100; k++)   /* 10 Hz for 10 s */
		iio_sensors_read(&set, i, 100.0 + 0.1 * k, &s);
	iio_sensors_read(&set, i, 110.0, &s);
	tree_put(ADS, "in_voltage1_raw", "13200");
	iio_sensors_read(&set, i, 110.1, &s);
	assert_true(s.ok);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);

	FILE *f = fdopen(fd, "r");

	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "sensor ads1015/voltage1: reading in_voltage1_raw: No such file"))
			failing++;
		else if (strstr(line, "sensor ads1015/voltage1: 101 failed reads in a row; the last: reading "
				       "in_voltage1_raw: No such file"))
			failing++;
		else if (strstr(line, "sensor ads1015/voltage1 reads again after 101 failed reads"))
			again++;
		else
			fprintf(stderr, "unexpected log line: %s", line);
	}
	fclose(f);
	unlink(path);
	assert_int_equal(failing, 2);
	assert_int_equal(again, 1);
	iio_sensors_close(&set);
}

static int run_cases(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_temperatures),
		cmocka_unit_test(test_leading_zero_is_decimal),
		cmocka_unit_test(test_missing_channel),
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_missing_attribute),
		cmocka_unit_test(test_ambiguous_name),
		cmocka_unit_test(test_same_spec_same_index),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_temp_offset_scale),
		cmocka_unit_test(test_processed_input),
		cmocka_unit_test(test_failure_log_is_rate_limited),
	};

	return cmocka_run_group_tests_name(uri, tests, NULL, NULL);
}

/*
 * iiod dies between two passes: every sensor of the next pass fails, in
 * one connection error rather than a timeout per sensor.
 */
static int conn_loss(pid_t iiod)
{
	struct iio_sensors set;
	struct sensor_sample s[IIO_SENSORS_MAX];
	struct timespec t0, t1;
	char err[512];
	const char *specs[] = { "ads1015/voltage0", "ads1015/voltage1", "ads1015/voltage2",
				"ads1015/voltage3", "tmp-offset/temp" };

	if (iio_sensors_open(&set, uri, err, sizeof(err)) < 0) {
		fprintf(stderr, "conn-loss: %s\n", err);
		return 1;
	}
	for (int i = 0; i < 5; i++) {
		if (iio_sensors_add(&set, specs[i], err, sizeof(err)) < 0) {
			fprintf(stderr, "conn-loss: %s\n", err);
			return 1;
		}
	}
	iio_sensors_read_all(&set, 1.0, s);
	for (int i = 0; i < 5; i++) {
		if (!s[i].ok) {
			fprintf(stderr, "conn-loss: %s did not read before the kill\n", specs[i]);
			return 1;
		}
	}
	kill(iiod, SIGKILL);
	usleep(200 * 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	iio_sensors_read_all(&set, 2.0, s);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took_s = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
	int bad = 0;

	for (int i = 0; i < 5; i++) {
		if (s[i].ok || !isnan(s[i].value)) {
			fprintf(stderr, "conn-loss: %s still reads %g after iiod died\n", specs[i], s[i].value);
			bad = 1;
		}
	}
	printf("conn-loss: every sensor failed after iiod was killed; the pass took %.1f ms\n", took_s * 1e3);
	if (took_s > 1.5 * IIO_SENSORS_NET_TIMEOUT_MS / 1000.0) {
		fprintf(stderr, "conn-loss: the pass took %.3f s: longer than one timeout\n", took_s);
		bad = 1;
	}
	iio_sensors_close(&set);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--build-tree") == 0)
		return build_tree();
	if (argc == 4 && strcmp(argv[1], "--conn-loss") == 0) {
		uri = argv[2];
		return conn_loss((pid_t)atoi(argv[3]));
	}
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: iio_sysfs --build-tree | URI | --conn-loss URI IIOD_PID\n");
		return 1;
	}
	if (!in_test_namespace()) {
		fprintf(stderr, "iio_sysfs: /sys/bus is not a tmpfs: run me in the test's mount namespace\n");
		return 1;
	}
	uri = argv[1];
	return run_cases();
}
