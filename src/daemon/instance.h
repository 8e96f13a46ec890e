/* SPDX-License-Identifier: MIT */
/*
 * One daemon per state_dir: an exclusive flock() on state_dir/contrastd.lock,
 * held for the life of the process, with the holder's PID written in it.
 *
 * instance_lock() makes state_dir when missing (mode 0750), refuses one
 * that others than the daemon's user and group can write to
 * (lib/safefile.h), and opens the lock file without following a symlink.
 * A second daemon gets: "another contrastd (pid 1234) holds
 * /var/lib/contrastd/contrastd.lock: one daemon per state_dir".
 *
 * The lock goes with the process (the kernel drops it at exit, however
 * the daemon died), so a stale lock file is never a problem.
 */
#ifndef CONTRASTD_INSTANCE_H
#define CONTRASTD_INSTANCE_H

#include <stddef.h>

#define INSTANCE_LOCK_NAME "contrastd.lock"

struct instance_lock {
	int fd;                 /* the lock file, -1 when not held */
};

/* Returns 0 holding the lock, or -1 with a message in err. */
int instance_lock(struct instance_lock *l, const char *state_dir, char *err, size_t err_len);

/* Release it (closing the file). Safe to call twice. */
void instance_unlock(struct instance_lock *l);

#endif
