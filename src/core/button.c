/* SPDX-License-Identifier: MIT */
/* Button debounce and press length as a pure state machine. See button.h. */
#include <math.h>
#include "button.h"

const char *button_event_name(enum button_event e)
{
	switch (e) {
	case BUTTON_NONE:
		return "none";
	case BUTTON_SHORT_PRESS:
		return "short press";
	case BUTTON_LONG_PRESS:
		return "long press";
	}
	return "unknown";
}

void button_init(struct button *b, const struct button_params *p, bool pressed, double now_s)
{
	b->p = *p;
	if (!(b->p.debounce_s >= 0.0))
		b->p.debounce_s = 0.0;
	b->raw = pressed;
	b->raw_since_s = now_s;
	b->stable = pressed;
	b->pressed_at_s = now_s;
	b->long_sent = false;
	/* Held at start-up: we did not see it begin, and a stuck button must not act. */
	b->ignore = pressed;
	b->last_s = now_s;
}

bool button_pressed(const struct button *b)
{
	return b->stable;
}

/* The press is known to have lasted at least until this time. */
static double held_until_s(const struct button *b, double now_s)
{
	return b->raw ? now_s : b->raw_since_s;
}

/*
 * Bring the machine up to now_s. At most one event comes due per call.
 * Deadlines are compared in the form button_next_deadline() computes
 * them (t >= start + length), so a poll at a deadline always acts on it.
 */
static enum button_event advance(struct button *b, double now_s)
{
	enum button_event ev = BUTTON_NONE;

	if (b->raw != b->stable && now_s >= b->raw_since_s + b->p.debounce_s) {
		b->stable = b->raw;
		if (b->stable) {
			b->pressed_at_s = b->raw_since_s;
			b->long_sent = false;
			b->ignore = false;
		} else {
			/* A release; a press held past long_press_s that nobody polled in time is long. */
			if (!b->ignore && !b->long_sent)
				ev = b->raw_since_s >= b->pressed_at_s + b->p.long_press_s ?
					BUTTON_LONG_PRESS : BUTTON_SHORT_PRESS;
			b->ignore = false;
			return ev;
		}
	}
	if (b->stable && !b->ignore && !b->long_sent &&
	    held_until_s(b, now_s) >= b->pressed_at_s + b->p.long_press_s) {
		b->long_sent = true;
		ev = BUTTON_LONG_PRESS;
	}
	return ev;
}

enum button_event button_edge(struct button *b, bool pressed, double at_s)
{
	if (isnan(at_s) || at_s < b->last_s)
		at_s = b->last_s;
	b->last_s = at_s;

	enum button_event ev = advance(b, at_s);

	if (pressed != b->raw) {
		b->raw = pressed;
		b->raw_since_s = at_s;
	}
	return ev;
}

enum button_event button_poll(struct button *b, double now_s)
{
	if (isnan(now_s) || now_s < b->last_s)
		now_s = b->last_s;
	b->last_s = now_s;
	return advance(b, now_s);
}

double button_next_deadline(const struct button *b)
{
	double t = INFINITY;

	if (b->raw != b->stable)
		t = b->raw_since_s + b->p.debounce_s;
	else if (b->stable && b->raw && !b->ignore && !b->long_sent)
		t = b->pressed_at_s + b->p.long_press_s;
	return t;
}
