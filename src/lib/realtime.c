/* SPDX-License-Identifier: MIT */
/* SCHED_FIFO and locked memory. See realtime.h. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "realtime.h"

#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

int realtime_enter(char *err, size_t err_len)
{
	struct sched_param sp = { .sched_priority = REALTIME_PRIORITY };

	/* Kernels before 4.4 do not know MCL_ONFAULT: lock everything then. */
	if (mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) < 0 &&
	    (errno != EINVAL || mlockall(MCL_CURRENT | MCL_FUTURE) < 0)) {
		snprintf(err, err_len, "mlockall: %s (RLIMIT_MEMLOCK, the unit's LimitMEMLOCK=)", strerror(errno));
		return -1;
	}
	if (sched_setscheduler(0, SCHED_FIFO, &sp) < 0) {
		int e = errno;

		munlockall();
		snprintf(err, err_len, "SCHED_FIFO at priority %d: %s (RLIMIT_RTPRIO, the unit's LimitRTPRIO= "
			 "and RestrictRealtime=)", REALTIME_PRIORITY, strerror(e));
		return -1;
	}
	return 0;
}
