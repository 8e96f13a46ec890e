/* SPDX-License-Identifier: MIT */
/*
 * The sensors read off the loop. Reading an ADS1115 blocks: the kernel
 * driver sleeps about two conversions at every switch of input (17 ms a
 * read at 128 SPS), and an iiod far away may take its timeout. So one
 * thread does the reads and nothing else, and hands every complete pass
 * to the loop; the loop stays the only place that decides what a pass
 * is worth (hw_real.c: a pass not complete by the tick after it was
 * asked for is a failed read, never an old value used as new).
 *
 *  - A pass reads every sensor of an iio_sensors set once, in index
 *    order (iio_sensors_sample_all), and is stamped with the number of
 *    the request it answers and its start and end (CLOCK_MONOTONIC).
 *  - The loop asks (iio_reader_ask: returns the request's number, at
 *    once); the thread starts the latest request as soon as it is free:
 *    requests made while it reads are not queued one by one, the next
 *    pass answers the newest.
 *  - A complete pass is published through a triple buffer (a newer pass
 *    replaces an older one not yet taken) and the done eventfd
 *    (iio_reader_fd) becomes readable; iio_reader_take takes the newest.
 *  - Nothing is locked: requests go through an eventfd and an atomic
 *    counter, passes through the triple buffer's one atomic exchange per
 *    side. So the loop never waits for the thread, not even for a
 *    mutex the thread holds while a busy machine has preempted it.
 *  - The thread blocks every signal, so SIGTERM and the others reach the
 *    loop's signalfd, never this thread. It follows the loop's scheduling
 *    one step below it: real-time one priority under a real-time loop
 *    ([daemon] realtime = yes), normal under a normal one. It is blocked
 *    in read() nearly all the time and parses a value in microseconds, so
 *    it cannot hold an edge back; a reader left at the normal policy under
 *    a real-time loop would be the first thing a busy machine starves,
 *    and its passes would come late.
 *  - The thread touches nothing of the set but what iio_sensors_sample
 *    reads.
 */
#ifndef CONTRASTD_IIO_READER_H
#define CONTRASTD_IIO_READER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "iio_sensors.h"

/* One pass over every sensor of the set. */
struct iio_pass {
	uint64_t seq;                   /* the request it answers (1, 2, ...) */
	double started_s;               /* CLOCK_MONOTONIC, s */
	double finished_s;
	int n;                          /* results in result[] (the set's sensors) */
	struct iio_sensor_result result[IIO_SENSORS_MAX];
};

struct iio_reader {
	const struct iio_sensors *set;
	int ask_fd;                     /* eventfd: the loop asks, the thread waits on it */
	int done_fd;                    /* eventfd: readable when a pass completed */
	pthread_t thread;
	pthread_t loop_thread;          /* the thread that started it: the loop's */
	bool running;                   /* the thread exists */
	_Atomic uint64_t asked;         /* the newest request (0: none yet) */
	_Atomic uint64_t done;          /* the newest request answered */
	atomic_bool quit;
	/*
	 * The triple buffer: the thread fills pass[back], the loop owns
	 * pass[front], and they trade through middle (an index, with
	 * PASS_FRESH set while it holds a pass the loop has not taken).
	 */
	struct iio_pass pass[3];
	atomic_uint middle;
	unsigned int back;              /* the thread's */
	unsigned int front;             /* the loop's */
};
/*
 * Start the thread for a set whose sensors are all added (the set must
 * outlive the reader). Returns 0, or -1 with a message.
 */
int iio_reader_start(struct iio_reader *r, const struct iio_sensors *set, char *err, size_t err_len);

/* Ask for a pass. Returns its number, which the pass carries in seq. Never waits. */
uint64_t iio_reader_ask(struct iio_reader *r);

/*
 * Copy the newest complete pass not yet taken into *out. Returns true,
 * or false when there is none. Never waits.
 */
bool iio_reader_take(struct iio_reader *r, struct iio_pass *out);

/* The eventfd that becomes readable when a pass completes; put it in the loop. */
int iio_reader_fd(const struct iio_reader *r);

/* Reset the eventfd after it woke the loop (it may wake once more for a pass already taken). */
void iio_reader_clear_fd(struct iio_reader *r);

/*
 * Wait until the newest request is answered, at most timeout_s. Returns
 * true when it is. For start-up (the first pass before the loop runs)
 * and tests; never from the loop.
 */
bool iio_reader_wait_idle(struct iio_reader *r, double timeout_s);

/* Stop the thread (after the pass under way, if any) and close the eventfd. Safe when not started. */
void iio_reader_stop(struct iio_reader *r);

#endif
