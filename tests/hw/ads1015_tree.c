/* SPDX-License-Identifier: MIT */
/* Fake ti-ads1015 sysfs trees. See ads1015_tree.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "ads1015_tree.h"

void tree_put(const char *dir, const char *file, const char *fmt, ...)
{
	char path[512];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "ads1015_tree: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	if (fclose(f) != 0) {
		fprintf(stderr, "ads1015_tree: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

void tree_mkdir(const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST) {
		fprintf(stderr, "ads1015_tree: mkdir %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

void tree_ads1015(const char *dir, double scale_mv, int rate_sps, long raw)
{
	tree_mkdir(dir);
	tree_put(dir, "name", "ads1015");
	for (int i = 0; i < 4; i++) {
		char f[64];

		snprintf(f, sizeof(f), "in_voltage%d_raw", i);
		tree_put(dir, f, "%5ld", raw);
		snprintf(f, sizeof(f), "in_voltage%d_scale", i);
		tree_put(dir, f, "%.9f", scale_mv);
		snprintf(f, sizeof(f), "in_voltage%d_sampling_frequency", i);
		tree_put(dir, f, "%d", rate_sps);
	}
	tree_put(dir, "in_voltage0-voltage1_raw", "-5");
	tree_put(dir, "in_voltage0-voltage1_scale", "%.9f", scale_mv);
	tree_put(dir, "in_voltage0-voltage1_sampling_frequency", "%d", rate_sps);
	tree_put(dir, "scale_available", "6.144 4.096 2.048 1.024 0.512 0.256");
	tree_put(dir, "sampling_frequency_available", "8 16 32 64 128 250 475 860");
	tree_put(dir, "dev", "250:0");
	tree_put(dir, "uevent", "MAJOR=250\nMINOR=0\nDEVNAME=iio:device0\nDEVTYPE=iio_device");
}

const char *tree_ads1015_on_sys(const char *who, int rate_sps, long raw)
{
	struct statfs st;

	if (statfs("/sys/bus", &st) != 0 || st.f_type != TMPFS_MAGIC) {
		fprintf(stderr, "skip: %s: /sys/bus is not a tmpfs: run me in the test's mount namespace\n", who);
		exit(77);
	}
	tree_mkdir("/sys/bus/iio");
	tree_mkdir("/sys/bus/iio/devices");
	tree_ads1015(ADS1015_SYS_DEVICE, ADS1015_SCALE_4096_MV, rate_sps, raw);
	return ADS1015_SYS_DEVICE;
}
