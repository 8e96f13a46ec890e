/* SPDX-License-Identifier: MIT */
/* sd_notify over libsystemd. See notify.h. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include "lib/log.h"
#include "notify.h"

static char last_status[256];
static bool send_failed_logged;

static void notify_send(const char *msg)
{
	int rc = sd_notify(0, msg);

	/* 0: no NOTIFY_SOCKET, nothing to do. */
	if (rc < 0 && !send_failed_logged) {
		log_warning("sd_notify %.*s: %s (logged once)", (int)strcspn(msg, "=\n"), msg, strerror(-rc));
		send_failed_logged = true;
	}
}

void notify_ready(void)
{
	notify_send("READY=1");
}

void notify_status(const char *text)
{
	char msg[sizeof(last_status) + 8];

	if (strncmp(text, last_status, sizeof(last_status) - 1) == 0)
		return;
	snprintf(last_status, sizeof(last_status), "%s", text);
	/* One line: a newline would start another assignment. */
	last_status[strcspn(last_status, "\n")] = '\0';
	snprintf(msg, sizeof(msg), "STATUS=%s", last_status);
	notify_send(msg);
}

void notify_watchdog(void)
{
	notify_send("WATCHDOG=1");
}

void notify_stopping(void)
{
	notify_send("STOPPING=1");
}

double notify_watchdog_period_s(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return 0.0;
	return (double)usec / 2e6;
}
