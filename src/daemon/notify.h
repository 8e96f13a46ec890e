/* SPDX-License-Identifier: MIT */
/*
 * Telling systemd how the service is (sd_notify(3), Type=notify). Every
 * call is a no-op returning quietly when NOTIFY_SOCKET is unset, i.e. not
 * run by systemd; a failed send is logged once and otherwise ignored: it
 * must never stop the control loop.
 */
#ifndef CONTRASTD_NOTIFY_H
#define CONTRASTD_NOTIFY_H

/* READY=1: hardware open, first readings in. */
void notify_ready(void);

/*
 * STATUS=text (one line; systemctl status shows it). Sent only when it
 * differs from the last one sent: call it as often as convenient.
 */
void notify_status(const char *text);

/* WATCHDOG=1: only when the loop ran on time and the sensors answered. */
void notify_watchdog(void);

/* STOPPING=1: shutting down (outputs are being switched off). */
void notify_stopping(void);

/*
 * How often to send WATCHDOG=1, in seconds: half of WatchdogSec= as
 * systemd passed it (WATCHDOG_USEC for this pid), or 0 when the watchdog
 * is off.
 */
double notify_watchdog_period_s(void);

#endif
