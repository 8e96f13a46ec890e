/* SPDX-License-Identifier: MIT */
/*
 * The sensors, read through libiio: one context ("local:" for the Pi's
 * own sysfs, "ip:HOST" for a remote iiod) and a fixed set of channels
 * named "DEVICE/CHANNEL" ("ads1015/voltage0", "iio:device0/temp").
 *
 *  - Everything is looked up once, by iio_sensors_add: the device by its
 *    IIO id, name or label (a name that more than one device has is an
 *    error: give the id), the input channel by id, and which attributes
 *    to read. A missing device, channel or attribute is an error that
 *    says what is missing and what the context does have.
 *  - A read follows the IIO sysfs ABI: a processed `input` attribute is
 *    used as is; otherwise (raw + offset) * scale, offset and scale
 *    being optional (0 and 1). Offset and scale are read with every
 *    sample: a driver may change them (the ADS1x15's gain) and a sample
 *    scaled with a stale one would be a silently wrong temperature.
 *  - Units: voltage channels give SAMPLE_MV (millivolts, as the ABI has
 *    them), temp channels SAMPLE_C (the ABI's millidegrees / 1000).
 *  - A failed read is ok = false and a log line (the first at once, then
 *    at most one per IIO_SENSORS_LOG_EVERY_S per sensor, and one when it
 *    reads again), never an old value.
 *  - No allocation, no rescanning per read: each value goes through a
 *    fixed buffer and is parsed here (base 10: libiio's read_longlong
 *    would take "010" for octal).
 *  - On a network context, a read that fails for the connection
 *    (timeout, reset) ends the pass: the sensors not yet read that tick
 *    fail too, so one dead iiod costs one timeout per tick, not one per
 *    sensor. Opening a network context sets SIGPIPE to ignored: libiio
 *    writes to the socket without MSG_NOSIGNAL, and a dead iiod must be
 *    a failed read, not a killed daemon.
 *  - Reading and accounting are two steps, so the reads can run on a
 *    thread of their own (iio_reader.h) while the loop keeps the books:
 *    iio_sensors_sample and _sample_all only read (they change nothing in
 *    the set and log nothing); iio_sensors_account turns a result into a
 *    sample and the log line. iio_sensors_read does both, for --probe.
 *
 * Thread use: after the last iio_sensors_add, one thread may sample
 * while another accounts; nothing else runs concurrently.
 */
#ifndef CONTRASTD_IIO_SENSORS_H
#define CONTRASTD_IIO_SENSORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/limits.h"
#include "core/sensor.h"

#define IIO_SENSORS_MAX          (MAX_ZONES * 3)
#define IIO_SENSORS_LOG_EVERY_S  10.0
/* A network context's reply timeout, ms: a hung iiod must not hold the loop (and the PWM) long. */
#define IIO_SENSORS_NET_TIMEOUT_MS 500

struct iio_context;
struct iio_device;
struct iio_channel;

struct iio_sensor {
	char spec[SENSOR_SPEC_LEN];     /* as configured: "ads1015/voltage0" */
	const struct iio_device *dev;
	const struct iio_channel *chn;
	enum sample_unit unit;
	bool processed;                 /* reads `input`; else raw with offset and scale */
	const char *value_attr;         /* "input" or "raw", libiio's own string */
	const char *offset_attr;        /* NULL when the channel has none */
	const char *scale_attr;         /* NULL when the channel has none */
	/* The rate-limited failure log. */
	long failures;                  /* consecutive failed reads */
	double last_log_s;              /* when the last failure was logged */
};

struct iio_sensors {
	struct iio_context *ctx;
	char uri[PATH_LEN];
	bool network;
	int n;
	struct iio_sensor s[IIO_SENSORS_MAX];
};

/* One read of one sensor, before it is accounted (logged, counted). */
struct iio_sensor_result {
	struct sensor_sample sample;    /* ok = false and NaN on failure */
	int error;                      /* 0, or a negative errno (-EINVAL: not a number, -ERANGE: not finite) */
	const char *attr;               /* the attribute whose read failed; NULL: see error */
	bool skipped;                   /* not read: the connection to iiod failed earlier in the pass */
};

/*
 * Create the context. Returns 0, or -1 with a message naming the URI and
 * the reason ("IIO context local:: no /sys/bus/iio/devices ...").
 */
int iio_sensors_open(struct iio_sensors *set, const char *uri, char *err, size_t err_len);

/*
 * Look up "DEVICE/CHANNEL" once. Returns the sensor's index (the same
 * index for a spec added before), or -1 with a message that starts with
 * the spec: "ads1015/voltage7: IIO device ads1015 (iio:device0) has no
 * input channel 'voltage7' (it has: voltage0, ...)".
 */
int iio_sensors_add(struct iio_sensors *set, const char *spec, char *err, size_t err_len);

/* Read one sensor; nothing is logged or counted. Returns res->error. */
int iio_sensors_sample(const struct iio_sensors *set, int index, struct iio_sensor_result *res);

/*
 * Read every sensor, in index order, into res[0 .. set->n - 1]; on a
 * network context a connection failure ends the pass (the rest are
 * skipped). Nothing is logged or counted.
 */
void iio_sensors_sample_all(const struct iio_sensors *set, struct iio_sensor_result *res);

/*
 * Account one result at now_s: the rate-limited failure log (or the
 * "reads again" line) and the sample into *out. Returns res->error.
 */
int iio_sensors_account(struct iio_sensors *set, int index, double now_s, const struct iio_sensor_result *res,
			struct sensor_sample *out);

/*
 * Account a read that failed for a reason of the caller's ("not read in
 * time"): logged like any failure, *out failed (ok = false, NaN).
 */
void iio_sensors_fail(struct iio_sensors *set, int index, double now_s, const char *why, struct sensor_sample *out);

/*
 * Read one sensor at now_s and account it: out->ok says whether it
 * worked; on failure out->value is NaN. Returns 0 or the negative errno
 * of the failure (-EINVAL: not a number).
 */
int iio_sensors_read(struct iio_sensors *set, int index, double now_s, struct sensor_sample *out);

/* Read and account every sensor, in index order, into out[0 .. set->n - 1]. */
void iio_sensors_read_all(struct iio_sensors *set, double now_s, struct sensor_sample *out);

/*
 * The sensor's data rate: its channel's `sampling_frequency` attribute,
 * else its device's, in samples per second. 0 when it has neither (or
 * the value cannot be read): nothing is known about its rate.
 */
double iio_sensors_sampling_hz(const struct iio_sensors *set, int index);

/*
 * How long the sensor's read takes in a pass over the whole set, s, at
 * its data rate. A read that switches an ADS1x15's input waits, in the
 * kernel's ti-ads1015 driver, one conversion at the old rate and one at
 * the new plus 10 % (IIO_SENSORS_SWITCH_CONVERSIONS); a pass switches at
 * every read of a device that has more than one sensor in the set. The
 * bus transfers come on top (IIO_SENSORS_BUS_S). A sensor of unknown
 * rate counts the bus transfers only.
 */
double iio_sensors_read_cost_s(const struct iio_sensors *set, int index);

/* The sum of every sensor's read cost: how long one pass takes. */
double iio_sensors_pass_s(const struct iio_sensors *set);

#define IIO_SENSORS_SWITCH_CONVERSIONS 2.2
#define IIO_SENSORS_BUS_S              0.0015

/*
 * What a voltage channel can measure, for the range checks at start and
 * in --probe (hw_real.c). Only raw channels with a scale have one: a
 * processed or unscaled channel gives known = false.
 */
struct iio_range {
	bool known;
	double scale;                   /* mV per count, as read now */
	long max_raw;                   /* the largest count: 2^(bits-1) - 1 from the scan type, else 32767 */
	double full_scale_mv;           /* max_raw * scale */
	double rate_sps;                /* sampling_frequency; NAN when the channel has none */
};

/* Read a sensor's range now. Returns 0, or the negative errno of a failed read. */
int iio_sensors_range(struct iio_sensors *set, int index, struct iio_range *out);

/* One line of what the context has: "iio:device0 (ads1015), iio:device1 (tmp117)". */
void iio_sensors_describe_context(const struct iio_sensors *set, char *buf, size_t len);

void iio_sensors_close(struct iio_sensors *set);

#endif
