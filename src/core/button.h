/* SPDX-License-Identifier: MIT */
/*
 * The bedside button: debounce and short/long press as a pure state
 * machine. The shell feeds it the line's edges (already turned into
 * pressed/released, with their timestamps) and polls it with the time;
 * it says when it wants to be polled next. No I/O, no clock reads.
 *
 * Debounce: a change of the line counts once the line has stayed in the
 * new state for debounce_s; a pulse shorter than that (a bounce, a spike
 * induced by the Peltier wiring) is no press and no release at all. The
 * press or release is dated at the edge that began the stable state.
 *
 * Events, at most one per call:
 *  SHORT_PRESS  on a release that ends a press held less than
 *               long_press_s (edge to edge), once the release is stable;
 *  LONG_PRESS   once per press, when it has been held long_press_s: at
 *               that moment, not on release. The release then gives
 *               nothing.
 * A press that began before the machine started (the button held, or
 * stuck, at start-up) gives no event; the next one does.
 */
#ifndef CONTRASTD_BUTTON_H
#define CONTRASTD_BUTTON_H

#include <stdbool.h>

enum button_event {
	BUTTON_NONE = 0,
	BUTTON_SHORT_PRESS,
	BUTTON_LONG_PRESS,
};

const char *button_event_name(enum button_event e);     /* "none", "short press", "long press" */

struct button_params {
	double debounce_s;      /* the line must hold a new state this long, s (>= 0) */
	double long_press_s;    /* a press held this long is a long press, s (> 0) */
};

/* The machine. Fields are private. */
struct button {
	struct button_params p;
	bool raw;               /* the line as last reported: true = pressed */
	double raw_since_s;     /* when it took that state */
	bool stable;            /* the debounced state */
	double pressed_at_s;    /* the edge that began the current debounced press */
	bool long_sent;         /* this press has given its LONG_PRESS */
	bool ignore;            /* this press began before we watched: no event for it */
	double last_s;          /* the latest time seen */
};

/* Start at now_s with the line's current state. */
void button_init(struct button *b, const struct button_params *p, bool pressed, double now_s);

/*
 * The line changed to `pressed` at at_s (an edge from the kernel, or a
 * resynchronisation). An edge to the state the line already has is
 * ignored (the kernel's event queue may have dropped one). Returns an
 * event that came due before at_s, or BUTTON_NONE.
 */
enum button_event button_edge(struct button *b, bool pressed, double at_s);

/* Returns an event due at now_s, or BUTTON_NONE. Call until BUTTON_NONE. */
enum button_event button_poll(struct button *b, double now_s);

/* When button_poll must be called next (INFINITY: only after an edge). */
double button_next_deadline(const struct button *b);

/* The debounced state: true while pressed. */
bool button_pressed(const struct button *b);

#endif
