/* SPDX-License-Identifier: MIT */
/*
 * The libgpiod 2.x adapter (src/hw/gpio_lines_v2.c) and the real hardware
 * adapter over it, against the mock chip (gpio_mock_chip.h). The calls
 * that would reach the kernel (opening chips, line info, requests,
 * values, edges) and the scan of /dev are wrapped (-Wl,--wrap=, see
 * test_gpio_mock_v2.ldflags); the settings and configs a request is
 * built from are libgpiod 2's own code, and the mock reads what was asked
 * back through libgpiod's getters. The tests are the ones
 * test_gpio_mock_v1.c runs on libgpiod 1 (gpio_mock_hw_real.h).
 *
 * Built against libgpiod 2 only: the system's where it is 2.x (Debian 13),
 * else the 2.2.1 that `make libgpiod2` builds under build/.
 */
#include <dirent.h>
#include <errno.h>
#include <gpiod.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "test_assert.h"
#include "gpio_mock_chip.h"

/* libgpiod's opaque types that the wrappers hand out: here they are ours. */
struct gpiod_chip {
	int unused;
};

struct gpiod_chip_info {
	int unused;
};

struct gpiod_line_info {
	struct mock_line *m;
};

struct gpiod_line_request {
	struct mock_line *m;
	bool released;
};

struct gpiod_edge_event {
	struct mock_edge e;
};

struct gpiod_edge_event_buffer {
	size_t capacity;
	size_t n;
	struct gpiod_edge_event ev[64];
};

static struct gpiod_chip chip0;
static struct gpiod_chip_info chip0_info;
static struct gpiod_line_request requests[N_LINES];
static int infos_live, buffers_live;

struct gpiod_chip *__wrap_gpiod_chip_open(const char *path);
void __wrap_gpiod_chip_close(struct gpiod_chip *chip);
struct gpiod_chip_info *__wrap_gpiod_chip_get_info(struct gpiod_chip *chip);
const char *__wrap_gpiod_chip_info_get_name(struct gpiod_chip_info *info);
const char *__wrap_gpiod_chip_info_get_label(struct gpiod_chip_info *info);
size_t __wrap_gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info);
void __wrap_gpiod_chip_info_free(struct gpiod_chip_info *info);
int __wrap_gpiod_chip_get_line_offset_from_name(struct gpiod_chip *chip, const char *name);
struct gpiod_line_info *__wrap_gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset);
const char *__wrap_gpiod_line_info_get_name(struct gpiod_line_info *info);
const char *__wrap_gpiod_line_info_get_consumer(struct gpiod_line_info *info);
bool __wrap_gpiod_line_info_is_used(struct gpiod_line_info *info);
enum gpiod_line_direction __wrap_gpiod_line_info_get_direction(struct gpiod_line_info *info);
bool __wrap_gpiod_line_info_is_active_low(struct gpiod_line_info *info);
void __wrap_gpiod_line_info_free(struct gpiod_line_info *info);
struct gpiod_line_request *__wrap_gpiod_chip_request_lines(struct gpiod_chip *chip,
							    struct gpiod_request_config *req_cfg,
							    struct gpiod_line_config *line_cfg);
int __wrap_gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
					enum gpiod_line_value value);
enum gpiod_line_value __wrap_gpiod_line_request_get_value(struct gpiod_line_request *request,
							  unsigned int offset);
int __wrap_gpiod_line_request_get_fd(struct gpiod_line_request *request);
void __wrap_gpiod_line_request_release(struct gpiod_line_request *request);
int __wrap_gpiod_line_request_read_edge_events(struct gpiod_line_request *request,
					       struct gpiod_edge_event_buffer *buffer, size_t max_events);
struct gpiod_edge_event_buffer *__wrap_gpiod_edge_event_buffer_new(size_t capacity);
void __wrap_gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer);
struct gpiod_edge_event *__wrap_gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *buffer,
								  unsigned long index);
enum gpiod_edge_event_type __wrap_gpiod_edge_event_get_event_type(struct gpiod_edge_event *event);
uint64_t __wrap_gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *event);
int __real_scandir(const char *dir, struct dirent ***names, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **));
int __wrap_scandir(const char *dir, struct dirent ***names, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **));

/* /dev as the adapter sees it: our chip, and things that are not chips. */
int __wrap_scandir(const char *dir, struct dirent ***names, int (*filter)(const struct dirent *),
		   int (*compar)(const struct dirent **, const struct dirent **))
{
	static const char *entries[] = { "null", "gpiochip0", "gpiomem", "i2c-1" };
	int n = 0;

	if (strcmp(dir, "/dev") != 0)
		return __real_scandir(dir, names, filter, compar);
	*names = calloc(4, sizeof(**names));
	assert_non_null(*names);
	for (int i = 0; i < 4; i++) {
		struct dirent *d = calloc(1, sizeof(*d));

		assert_non_null(d);
		snprintf(d->d_name, sizeof(d->d_name), "%s", entries[i]);
		if (filter && !filter(d)) {
			free(d);
			continue;
		}
		(*names)[n++] = d;
	}
	if (compar)
		qsort(*names, (size_t)n, sizeof(**names), (int (*)(const void *, const void *))compar);
	return n;
}

struct gpiod_chip *__wrap_gpiod_chip_open(const char *path)
{
	if (strcmp(path, "/dev/" MOCK_CHIP_NAME) == 0) {
		chip_opens++;
		return &chip0;
	}
	errno = ENOENT;
	return NULL;
}

void __wrap_gpiod_chip_close(struct gpiod_chip *chip)
{
	assert_ptr_equal(chip, &chip0);
	chip_closes++;
}

struct gpiod_chip_info *__wrap_gpiod_chip_get_info(struct gpiod_chip *chip)
{
	assert_ptr_equal(chip, &chip0);
	infos_live++;
	return &chip0_info;
}

const char *__wrap_gpiod_chip_info_get_name(struct gpiod_chip_info *info)
{
	assert_ptr_equal(info, &chip0_info);
	return MOCK_CHIP_NAME;
}

const char *__wrap_gpiod_chip_info_get_label(struct gpiod_chip_info *info)
{
	assert_ptr_equal(info, &chip0_info);
	return mock_chip_label;
}

size_t __wrap_gpiod_chip_info_get_num_lines(struct gpiod_chip_info *info)
{
	assert_ptr_equal(info, &chip0_info);
	return N_LINES;
}

void __wrap_gpiod_chip_info_free(struct gpiod_chip_info *info)
{
	assert_ptr_equal(info, &chip0_info);
	infos_live--;
}

int __wrap_gpiod_chip_get_line_offset_from_name(struct gpiod_chip *chip, const char *name)
{
	struct mock_line *m = mock_find(name);

	assert_ptr_equal(chip, &chip0);
	if (!m) {
		errno = ENOENT;
		return -1;
	}
	return (int)m->offset;
}

struct gpiod_line_info *__wrap_gpiod_chip_get_line_info(struct gpiod_chip *chip, unsigned int offset)
{
	struct gpiod_line_info *info;

	assert_ptr_equal(chip, &chip0);
	if (offset >= N_LINES) {
		errno = EINVAL;
		return NULL;
	}
	info = malloc(sizeof(*info));
	assert_non_null(info);
	info->m = &lines[offset];
	infos_live++;
	return info;
}

const char *__wrap_gpiod_line_info_get_name(struct gpiod_line_info *info)
{
	return info->m->name;
}

const char *__wrap_gpiod_line_info_get_consumer(struct gpiod_line_info *info)
{
	return mock_consumer(info->m);
}

bool __wrap_gpiod_line_info_is_used(struct gpiod_line_info *info)
{
	return mock_used(info->m);
}

enum gpiod_line_direction __wrap_gpiod_line_info_get_direction(struct gpiod_line_info *info)
{
	return info->m->output ? GPIOD_LINE_DIRECTION_OUTPUT : GPIOD_LINE_DIRECTION_INPUT;
}

bool __wrap_gpiod_line_info_is_active_low(struct gpiod_line_info *info)
{
	return info->m->active_low;
}

void __wrap_gpiod_line_info_free(struct gpiod_line_info *info)
{
	infos_live--;
	free(info);
}

static enum mock_bias bias_of(enum gpiod_line_bias b)
{
	switch (b) {
	case GPIOD_LINE_BIAS_PULL_UP:
		return MOCK_PULL_UP;
	case GPIOD_LINE_BIAS_PULL_DOWN:
		return MOCK_PULL_DOWN;
	case GPIOD_LINE_BIAS_DISABLED:
		return MOCK_BIAS_OFF;
	default:
		return MOCK_BIAS_AS_IS;
	}
}

/*
 * A request as the kernel would take it: one line per request here, and
 * what it asks for read back from libgpiod's own config objects.
 */
struct gpiod_line_request *__wrap_gpiod_chip_request_lines(struct gpiod_chip *chip,
							    struct gpiod_request_config *req_cfg,
							    struct gpiod_line_config *line_cfg)
{
	unsigned int offset;

	assert_ptr_equal(chip, &chip0);
	assert_int_equal(gpiod_line_config_get_num_configured_offsets(line_cfg), 1);
	assert_int_equal(gpiod_line_config_get_configured_offsets(line_cfg, &offset, 1), 1);
	assert_true(offset < N_LINES);

	struct gpiod_line_settings *s = gpiod_line_config_get_line_settings(line_cfg, offset);
	const char *consumer = gpiod_request_config_get_consumer(req_cfg);
	struct mock_line *m = &lines[offset];
	int rc;

	assert_non_null(s);
	assert_non_null(consumer);
	bool active_low = gpiod_line_settings_get_active_low(s);
	enum gpiod_line_edge edge = gpiod_line_settings_get_edge_detection(s);

	if (gpiod_line_settings_get_direction(s) == GPIOD_LINE_DIRECTION_OUTPUT) {
		assert_int_equal(edge, GPIOD_LINE_EDGE_NONE);
		assert_int_equal(gpiod_line_settings_get_bias(s), GPIOD_LINE_BIAS_AS_IS);
		rc = mock_request_output(m, consumer, active_low,
					 gpiod_line_settings_get_output_value(s) == GPIOD_LINE_VALUE_ACTIVE);
	} else {
		assert_int_equal(gpiod_line_settings_get_direction(s), GPIOD_LINE_DIRECTION_INPUT);
		bool events = edge != GPIOD_LINE_EDGE_NONE;

		if (events) {
			/* Both edges, stamped by the clock the daemon's timers use. */
			assert_int_equal(edge, GPIOD_LINE_EDGE_BOTH);
			assert_int_equal(gpiod_line_settings_get_event_clock(s), GPIOD_LINE_CLOCK_MONOTONIC);
		}
		rc = mock_request_input(m, consumer, active_low, bias_of(gpiod_line_settings_get_bias(s)), events);
	}
	gpiod_line_settings_free(s);
	if (rc < 0)
		return NULL;
	requests[offset] = (struct gpiod_line_request){ .m = m };
	return &requests[offset];
}

static struct mock_line *line_of(struct gpiod_line_request *request, unsigned int offset)
{
	assert_false(request->released);
	assert_int_equal(offset, request->m->offset);
	return request->m;
}

int __wrap_gpiod_line_request_set_value(struct gpiod_line_request *request, unsigned int offset,
					enum gpiod_line_value value)
{
	assert_true(value == GPIOD_LINE_VALUE_ACTIVE || value == GPIOD_LINE_VALUE_INACTIVE);
	return mock_set(line_of(request, offset), value == GPIOD_LINE_VALUE_ACTIVE);
}

enum gpiod_line_value __wrap_gpiod_line_request_get_value(struct gpiod_line_request *request,
							  unsigned int offset)
{
	return mock_get(line_of(request, offset)) ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;
}

int __wrap_gpiod_line_request_get_fd(struct gpiod_line_request *request)
{
	assert_false(request->released);
	return button_pipe[0];
}

void __wrap_gpiod_line_request_release(struct gpiod_line_request *request)
{
	assert_false(request->released);
	mock_release(request->m);
	request->released = true;
}

int __wrap_gpiod_line_request_read_edge_events(struct gpiod_line_request *request,
					       struct gpiod_edge_event_buffer *buffer, size_t max_events)
{
	struct mock_edge e[64];

	assert_false(request->released);
	assert_true(request->m->events);
	if (max_events > buffer->capacity)
		max_events = buffer->capacity;
	int n = mock_take_edges(e, (unsigned int)max_events);

	buffer->n = n > 0 ? (size_t)n : 0;
	for (int i = 0; i < n; i++)
		buffer->ev[i].e = e[i];
	return n;
}

struct gpiod_edge_event_buffer *__wrap_gpiod_edge_event_buffer_new(size_t capacity)
{
	struct gpiod_edge_event_buffer *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	b->capacity = capacity == 0 || capacity > 64 ? 64 : capacity;
	buffers_live++;
	return b;
}

void __wrap_gpiod_edge_event_buffer_free(struct gpiod_edge_event_buffer *buffer)
{
	buffers_live--;
	free(buffer);
}

struct gpiod_edge_event *__wrap_gpiod_edge_event_buffer_get_event(struct gpiod_edge_event_buffer *buffer,
								  unsigned long index)
{
	assert_true(index < buffer->n);
	return &buffer->ev[index];
}

enum gpiod_edge_event_type __wrap_gpiod_edge_event_get_event_type(struct gpiod_edge_event *event)
{
	return event->e.rising ? GPIOD_EDGE_EVENT_RISING_EDGE : GPIOD_EDGE_EVENT_FALLING_EDGE;
}

uint64_t __wrap_gpiod_edge_event_get_timestamp_ns(struct gpiod_edge_event *event)
{
	return (uint64_t)event->e.ts.tv_sec * 1000000000u + (uint64_t)event->e.ts.tv_nsec;
}

#include "gpio_mock_hw_real.h"

/* Whatever ran: every info and edge buffer the adapter took, it gave back. */
static int teardown(void **state)
{
	(void)state;
	assert_int_equal(infos_live, 0);
	assert_int_equal(buffers_live, 0);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		GPIO_MOCK_HW_REAL_TESTS
	};

	return cmocka_run_group_tests_name("libgpiod 2", tests, NULL, teardown);
}
