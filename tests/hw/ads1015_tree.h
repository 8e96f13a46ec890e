/* SPDX-License-Identifier: MIT */
/*
 * IIO sysfs trees shaped like the kernel's ti-ads1015 driver, written
 * into an ordinary directory (a tmpfs over /sys/bus or over
 * /sys/bus/iio/devices): for tests/hw/iio_sysfs.c (test_iio_sysfs.sh,
 * test_iiod.sh) and the plant in the check-kernel guest
 * (tests/kernel/ktool.c).
 *
 * sysfs values end in a newline, and so do these: libiio overwrites a
 * value's last byte, assuming it is the newline.
 */
#ifndef CONTRASTD_TESTS_ADS1015_TREE_H
#define CONTRASTD_TESTS_ADS1015_TREE_H

/* The driver's default gain (+/-2.048 V) and the one contrastd needs with a 3.3 V divider (+/-4.096 V). */
#define ADS1015_SCALE_2048_MV 0.0625
#define ADS1015_SCALE_4096_MV 0.125

/* Write one sysfs-style value, the text and a newline, into dir/file. Exits on failure. */
void tree_put(const char *dir, const char *file, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* mkdir -p of one level; exits on failure other than EEXIST. */
void tree_mkdir(const char *path);

/*
 * An ADS1115 as ti-ads1015 binds it, in dir (created): name "ads1015",
 * in_voltage0..3 single-ended and in_voltage0-voltage1 differential,
 * each with raw (written "%5ld": a fixed width that can be rewritten in
 * place), scale (mV per count) and sampling_frequency (SPS), and the
 * device's scale_available and sampling_frequency_available.
 */
void tree_ads1015(const char *dir, double scale_mv, int rate_sps, long raw);

/*
 * The harnesses' tree: /sys/bus must be a tmpfs (the test's private mount
 * namespace; otherwise exit 77, saying so for who), then
 * /sys/bus/iio/devices/iio:device0 as tree_ads1015 makes it at +/-4.096 V
 * (hw_real refuses a range below supply_mv). Returns that directory.
 */
#define ADS1015_SYS_DEVICE "/sys/bus/iio/devices/iio:device0"
const char *tree_ads1015_on_sys(const char *who, int rate_sps, long raw);

#endif
