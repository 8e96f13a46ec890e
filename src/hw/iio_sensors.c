/* SPDX-License-Identifier: MIT */
/* Sensors through libiio. See iio_sensors.h. */
#include <errno.h>
#include <iio.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lib/log.h"
#include "iio_sensors.h"

/* Big enough for any number sysfs prints; libiio NUL-terminates within it. */
#define VALUE_BUF_LEN 128

/* Append to a list "a, b, c" in buf without overrunning it. */
static void append(char *buf, size_t len, const char *item)
{
	size_t used = strlen(buf);

	if (used + 1 >= len)
		return;
	snprintf(buf + used, len - used, "%s%s", used ? ", " : "", item);
}

void iio_sensors_describe_context(const struct iio_sensors *set, char *buf, size_t len)
{
	unsigned int n = set->ctx ? iio_context_get_devices_count(set->ctx) : 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		const struct iio_device *dev = iio_context_get_device(set->ctx, i);
		const char *name = iio_device_get_name(dev);
		char item[96];

		if (name)
			snprintf(item, sizeof(item), "%s (%s)", iio_device_get_id(dev), name);
		else
			snprintf(item, sizeof(item), "%s", iio_device_get_id(dev));
		append(buf, len, item);
	}
	if (n == 0)
		snprintf(buf, len, "no devices");
}

/* "ads1015 (iio:device0)" or "iio:device0", for messages. */
static void device_label(const struct iio_device *dev, char *buf, size_t len)
{
	const char *name = iio_device_get_name(dev);

	if (name)
		snprintf(buf, len, "%s (%s)", name, iio_device_get_id(dev));
	else
		snprintf(buf, len, "%s", iio_device_get_id(dev));
}

static void list_input_channels(const struct iio_device *dev, char *buf, size_t len)
{
	unsigned int n = iio_device_get_channels_count(dev);

	buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++) {
		const struct iio_channel *chn = iio_device_get_channel(dev, i);

		if (!iio_channel_is_output(chn))
			append(buf, len, iio_channel_get_id(chn));
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "no input channels");
}

static void list_attrs(const struct iio_channel *chn, char *buf, size_t len)
{
	unsigned int n = iio_channel_get_attrs_count(chn);

	buf[0] = '\0';
	for (unsigned int i = 0; i < n; i++)
		append(buf, len, iio_channel_get_attr(chn, i));
	if (buf[0] == '\0')
		snprintf(buf, len, "no attributes");
}

int iio_sensors_open(struct iio_sensors *set, const char *uri, char *err, size_t err_len)
{
	char why[128];

	memset(set, 0, sizeof(*set));
	if (strlen(uri) >= sizeof(set->uri)) {
		snprintf(err, err_len, "IIO context \"%.40s...\": too long", uri);
		return -1;
	}
	strcpy(set->uri, uri);
	set->network = strncmp(uri, "ip:", 3) == 0;
	if (set->network && uri[3] == '\0') {
		/* A bare "ip:" makes libiio search the network by DNS-SD: never on this device. */
		snprintf(err, err_len, "IIO context \"ip:\": give the host, e.g. ip:192.168.1.20");
		return -1;
	}
	/*
	 * libiio 0.24 writes to the iiod socket without MSG_NOSIGNAL: when iiod
	 * dies, the next request raises SIGPIPE, whose default action would
	 * kill the daemon with its outputs in whatever state they were. As an
	 * ignored signal it is the EPIPE the read path handles.
	 */
	if (set->network)
		signal(SIGPIPE, SIG_IGN);
	errno = 0;
	set->ctx = iio_create_context_from_uri(uri);
	if (!set->ctx) {
		int e = errno ? errno : EIO;

		iio_strerror(e, why, sizeof(why));
		if (!set->network && e == ENOENT)
			snprintf(err, err_len, "IIO context \"%s\": there is no /sys/bus/iio/devices: no IIO driver "
				 "is loaded (is the ADC's dtoverlay in /boot/config.txt? see docs/wiring.md)", uri);
		else if (set->network)
			snprintf(err, err_len, "IIO context \"%s\": cannot connect: %s (is iiod running there?)",
				 uri, why);
		else
			snprintf(err, err_len, "IIO context \"%s\": %s", uri, why);
		return -1;
	}
	if (set->network && iio_context_set_timeout(set->ctx, IIO_SENSORS_NET_TIMEOUT_MS) < 0)
		log_warning("IIO context \"%s\": could not set a %d ms timeout; libiio's default applies",
			    uri, IIO_SENSORS_NET_TIMEOUT_MS);
	return 0;
}

void iio_sensors_close(struct iio_sensors *set)
{
	if (set->ctx)
		iio_context_destroy(set->ctx);
	set->ctx = NULL;
	set->n = 0;
}

/*
 * The device whose id, name or label is `want`. An id wins; a name or
 * label that more than one device has is ambiguous (two ADS1115 on one
 * bus are both "ads1015"). Returns NULL with a message.
 */
static const struct iio_device *find_device(const struct iio_sensors *set, const char *spec,
					    const char *want, char *err, size_t err_len)
{
	unsigned int n = iio_context_get_devices_count(set->ctx);
	const struct iio_device *found = NULL;
	char matches[256] = "", have[512];
	int n_found = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct iio_device *dev = iio_context_get_device(set->ctx, i);
		const char *id = iio_device_get_id(dev);
		const char *name = iio_device_get_name(dev);
		const char *label = iio_device_get_label(dev);

		if (strcmp(id, want) == 0)
			return dev;
		if ((name && strcmp(name, want) == 0) || (label && strcmp(label, want) == 0)) {
			found = dev;
			n_found++;
			append(matches, sizeof(matches), id);
		}
	}
	if (n_found == 1)
		return found;
	if (n_found > 1) {
		snprintf(err, err_len, "%s: more than one IIO device is called '%s' (%s): "
			 "give the device by its id, e.g. %s/%s", spec, want, matches, iio_device_get_id(found),
			 strchr(spec, '/') + 1);
		return NULL;
	}
	iio_sensors_describe_context(set, have, sizeof(have));
	snprintf(err, err_len, "%s: no IIO device '%s' in context \"%s\" (it has: %s)",
		 spec, want, set->uri, have);
	return NULL;
}

int iio_sensors_add(struct iio_sensors *set, const char *spec, char *err, size_t err_len)
{
	char dev_name[SENSOR_SPEC_LEN], label[128], have[512];
	const char *slash = strchr(spec, '/');

	for (int i = 0; i < set->n; i++)
		if (strcmp(set->s[i].spec, spec) == 0)
			return i;
	if (set->n >= IIO_SENSORS_MAX) {
		snprintf(err, err_len, "%s: more than %d sensors", spec, IIO_SENSORS_MAX);
		return -1;
	}
	if (!slash || slash == spec || slash[1] == '\0' || strlen(spec) >= SENSOR_SPEC_LEN) {
		snprintf(err, err_len, "%s: expected DEVICE/CHANNEL, like ads1015/voltage0", spec);
		return -1;
	}
	const char *chn_id = slash + 1;

	snprintf(dev_name, sizeof(dev_name), "%.*s", (int)(slash - spec), spec);

	struct iio_sensor *s = &set->s[set->n];

	memset(s, 0, sizeof(*s));
	strcpy(s->spec, spec);
	s->dev = find_device(set, spec, dev_name, err, err_len);
	if (!s->dev)
		return -1;
	device_label(s->dev, label, sizeof(label));
	s->chn = iio_device_find_channel(s->dev, chn_id, false);
	if (!s->chn) {
		list_input_channels(s->dev, have, sizeof(have));
		snprintf(err, err_len, "%s: IIO device %s has no input channel '%s' (it has: %s)",
			 spec, label, chn_id, have);
		return -1;
	}
	if (strncmp(chn_id, "voltage", 7) == 0) {
		s->unit = SAMPLE_MV;
	} else if (strncmp(chn_id, "temp", 4) == 0) {
		s->unit = SAMPLE_C;
	} else {
		snprintf(err, err_len, "%s: channel '%s' of %s is neither a voltage (an NTC divider, "
			 "millivolts) nor a temp channel (millidegrees C)", spec, chn_id, label);
		return -1;
	}
	s->value_attr = iio_channel_find_attr(s->chn, "input");
	s->processed = s->value_attr != NULL;
	if (!s->processed) {
		s->value_attr = iio_channel_find_attr(s->chn, "raw");
		if (!s->value_attr) {
			list_attrs(s->chn, have, sizeof(have));
			snprintf(err, err_len, "%s: channel %s of %s has neither an 'input' nor a 'raw' "
				 "attribute (it has: %s)", spec, chn_id, label, have);
			return -1;
		}
		s->offset_attr = iio_channel_find_attr(s->chn, "offset");
		s->scale_attr = iio_channel_find_attr(s->chn, "scale");
	}
	return set->n++;
}

/* Read an attribute's text into buf (NUL-terminated). Returns 0 or a negative errno. */
static int read_text(const struct iio_sensor *s, const char *attr, char *buf, size_t len)
{
	ssize_t r = iio_channel_attr_read(s->chn, attr, buf, len);

	if (r < 0)
		return (int)r;
	buf[len - 1] = '\0';
	if ((size_t)r < len)
		buf[r] = '\0';
	return 0;
}

static bool only_space(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return *p == '\0';
}

/* Base 10 always: sysfs prints decimal, and "010" is ten. */
static int read_integer(const struct iio_sensor *s, const char *attr, long long *out)
{
	char buf[VALUE_BUF_LEN], *end;
	int r = read_text(s, attr, buf, sizeof(buf));

	if (r < 0)
		return r;
	errno = 0;
	*out = strtoll(buf, &end, 10);
	if (end == buf || !only_space(end))
		return -EINVAL;
	if (errno == ERANGE)
		return -ERANGE;
	return 0;
}

static int read_real(const struct iio_sensor *s, const char *attr, double *out)
{
	char buf[VALUE_BUF_LEN], *end;
	int r = read_text(s, attr, buf, sizeof(buf));

	if (r < 0)
		return r;
	*out = strtod(buf, &end);
	if (end == buf || !only_space(end) || !isfinite(*out))
		return -EINVAL;
	return 0;
}

/* A failure that concerns the whole network context, not one attribute. */
static bool connection_error(int e)
{
	switch (e) {
	case ETIMEDOUT:
	case ECONNRESET:
	case ECONNREFUSED:
	case ECONNABORTED:
	case ENOTCONN:
	case EPIPE:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EBADF:
		return true;
	default:
		return false;
	}
}

static void log_failure(struct iio_sensor *s, double now_s, const char *what)
{
	s->failures++;
	if (s->failures == 1) {
		log_warning("sensor %s: %s", s->spec, what);
		s->last_log_s = now_s;
	} else if (now_s - s->last_log_s >= IIO_SENSORS_LOG_EVERY_S) {
		log_warning("sensor %s: %ld failed reads in a row; the last: %s", s->spec, s->failures, what);
		s->last_log_s = now_s;
	}
}

static void set_failed(struct sensor_sample *out, enum sample_unit unit)
{
	out->ok = false;
	out->unit = unit;
	out->raw = 0;
	out->value = NAN;
}

static int result_failed(struct iio_sensor_result *res, enum sample_unit unit, int error, const char *attr)
{
	set_failed(&res->sample, unit);
	res->error = error;
	res->attr = attr;
	return error;
}

int iio_sensors_sample(const struct iio_sensors *set, int index, struct iio_sensor_result *res)
{
	const struct iio_sensor *s = &set->s[index];
	const char *attr = s->value_attr;
	double value, offset = 0.0, scale = 1.0;
	long long raw = 0;
	int r;

	memset(res, 0, sizeof(*res));
	if (s->processed) {
		r = read_real(s, attr, &value);
		/* No integer behind a processed value: its thousandths serve to see it change. */
		if (r == 0 && fabs(value) < 9e15)
			raw = llround(value * 1000.0);
	} else {
		r = read_integer(s, attr, &raw);
		if (r == 0 && s->offset_attr)
			r = read_real(s, attr = s->offset_attr, &offset);
		if (r == 0 && s->scale_attr)
			r = read_real(s, attr = s->scale_attr, &scale);
		value = ((double)raw + offset) * scale;
	}
	if (r < 0)
		return result_failed(res, s->unit, r, attr);
	if (s->unit == SAMPLE_C)
		value /= 1000.0;        /* the ABI's millidegrees */
	if (!isfinite(value))
		return result_failed(res, s->unit, -ERANGE, NULL);
	res->sample.ok = true;
	res->sample.unit = s->unit;
	res->sample.raw = raw;
	res->sample.value = value;
	return 0;
}

void iio_sensors_sample_all(const struct iio_sensors *set, struct iio_sensor_result *res)
{
	int i = 0;

	for (; i < set->n; i++) {
		int r = iio_sensors_sample(set, i, &res[i]);

		if (r < 0 && set->network && connection_error(-r))
			break;
	}
	/* The connection failed: do not wait out a timeout per sensor. */
	for (i++; i < set->n; i++) {
		result_failed(&res[i], set->s[i].unit, -ENOTCONN, NULL);
		res[i].skipped = true;
	}
}

int iio_sensors_account(struct iio_sensors *set, int index, double now_s, const struct iio_sensor_result *res,
			struct sensor_sample *out)
{
	struct iio_sensor *s = &set->s[index];
	char why[128], what[256];

	if (res->error == 0) {
		if (s->failures > 0)
			log_notice("sensor %s reads again after %ld failed reads", s->spec, s->failures);
		s->failures = 0;
		*out = res->sample;
		return 0;
	}
	if (res->skipped) {
		snprintf(what, sizeof(what), "not read: the connection to iiod failed this tick");
	} else if (!res->attr) {
		snprintf(what, sizeof(what), "the value is not finite");
	} else {
		const char *file = iio_channel_attr_get_filename(s->chn, res->attr);

		if (res->error == -EINVAL)
			snprintf(why, sizeof(why), "not a number");
		else
			iio_strerror(-res->error, why, sizeof(why));
		snprintf(what, sizeof(what), "reading %s: %s", file ? file : res->attr, why);
	}
	log_failure(s, now_s, what);
	set_failed(out, s->unit);
	return res->error;
}

void iio_sensors_fail(struct iio_sensors *set, int index, double now_s, const char *why, struct sensor_sample *out)
{
	log_failure(&set->s[index], now_s, why);
	set_failed(out, set->s[index].unit);
}

int iio_sensors_read(struct iio_sensors *set, int index, double now_s, struct sensor_sample *out)
{
	struct iio_sensor_result res;

	iio_sensors_sample(set, index, &res);
	return iio_sensors_account(set, index, now_s, &res, out);
}

void iio_sensors_read_all(struct iio_sensors *set, double now_s, struct sensor_sample *out)
{
	struct iio_sensor_result res[IIO_SENSORS_MAX];

	iio_sensors_sample_all(set, res);
	for (int i = 0; i < set->n; i++)
		iio_sensors_account(set, i, now_s, &res[i], &out[i]);
}

/* --- Data rates ------------------------------------------------------------------ */

double iio_sensors_sampling_hz(const struct iio_sensors *set, int index)
{
	const struct iio_sensor *s = &set->s[index];
	char buf[VALUE_BUF_LEN], *end;
	const char *attr = iio_channel_find_attr(s->chn, "sampling_frequency");
	ssize_t r;

	if (attr) {
		r = iio_channel_attr_read(s->chn, attr, buf, sizeof(buf));
	} else {
		attr = iio_device_find_attr(s->dev, "sampling_frequency");
		if (!attr)
			return 0.0;
		r = iio_device_attr_read(s->dev, attr, buf, sizeof(buf));
	}
	if (r < 0)
		return 0.0;
	buf[sizeof(buf) - 1] = '\0';
	if ((size_t)r < sizeof(buf))
		buf[r] = '\0';
	double hz = strtod(buf, &end);

	if (end == buf || !only_space(end) || !isfinite(hz) || hz <= 0.0)
		return 0.0;
	return hz;
}

double iio_sensors_read_cost_s(const struct iio_sensors *set, int index)
{
	double hz = iio_sensors_sampling_hz(set, index);
	int on_device = 0;

	for (int i = 0; i < set->n; i++)
		if (set->s[i].dev == set->s[index].dev)
			on_device++;
	if (hz <= 0.0 || on_device < 2)
		return IIO_SENSORS_BUS_S;
	return IIO_SENSORS_SWITCH_CONVERSIONS / hz + IIO_SENSORS_BUS_S;
}

double iio_sensors_pass_s(const struct iio_sensors *set)
{
	double sum_s = 0.0;

	for (int i = 0; i < set->n; i++)
		sum_s += iio_sensors_read_cost_s(set, i);
	return sum_s;
}

/* --- Range ---------------------------------------------------------------------- */

int iio_sensors_range(struct iio_sensors *set, int index, struct iio_range *out)
{
	struct iio_sensor *s = &set->s[index];
	const struct iio_data_format *fmt = iio_channel_get_data_format(s->chn);
	int r;

	memset(out, 0, sizeof(*out));
	out->rate_sps = NAN;
	if (s->processed || !s->scale_attr || s->unit != SAMPLE_MV)
		return 0;
	r = read_real(s, s->scale_attr, &out->scale);
	if (r < 0)
		return r;
	/* A buffered channel says its width (ADS1115 s16, ADS1015 s12); sysfs-only ones are taken as 16-bit. */
	out->max_raw = 32767;
	if (iio_channel_is_scan_element(s->chn) && fmt && fmt->bits >= 2 && fmt->bits <= 32)
		out->max_raw = fmt->is_signed ? (1L << (fmt->bits - 1)) - 1 : (1L << fmt->bits) - 1;
	out->full_scale_mv = (double)out->max_raw * out->scale;
	out->known = true;
	double hz = iio_sensors_sampling_hz(set, index);

	if (hz > 0.0)
		out->rate_sps = hz;
	return 0;
}
