/* SPDX-License-Identifier: MIT */
/*
 * [daemon] realtime = yes: the control loop as a real-time task, so other
 * work on a small computer cannot make its ticks and PWM edges late.
 *
 *  - SCHED_FIFO at REALTIME_PRIORITY: above every normal task, below the
 *    kernel's interrupt threads (50) and its watchdogs (99);
 *  - mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT): no page the loop
 *    has touched is ever paged out, and none is made resident just to be
 *    locked (the libraries' unused data stays out).
 *
 * The systemd unit allows both (LimitRTPRIO=, LimitMEMLOCK=,
 * RestrictRealtime=no, sched_setscheduler in SystemCallFilter=).
 */
#ifndef CONTRASTD_REALTIME_H
#define CONTRASTD_REALTIME_H

#include <stddef.h>

#define REALTIME_PRIORITY 10

/*
 * Become real-time. Returns 0, or -1 with what failed and why in err (the
 * caller goes on at normal priority: late ticks are the supervisor's to
 * judge, not a reason to stop).
 */
int realtime_enter(char *err, size_t err_len);

#endif
