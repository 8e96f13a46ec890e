/* SPDX-License-Identifier: MIT */
/* One daemon per state_dir. See instance.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>
#include "instance.h"
#include "lib/safefile.h"

#define DIR_MODE  0750
#define FILE_MODE 0640

/* The PID the holder wrote, or 0 when the file says none. */
static long holder_pid(int fd)
{
	char buf[32];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtol(buf, NULL, 10);
}

int instance_lock(struct instance_lock *l, const char *state_dir, char *err, size_t err_len)
{
	char pid[32];
	int dir, fd, len;

	l->fd = -1;
	dir = safefile_open_dir(state_dir, DIR_MODE, err, err_len);
	if (dir < 0)
		return -1;
	fd = safefile_openat(dir, INSTANCE_LOCK_NAME, O_RDWR | O_CREAT, FILE_MODE);
	if (fd < 0) {
		snprintf(err, err_len, "%s/" INSTANCE_LOCK_NAME ": %s", state_dir, safefile_strerror(errno));
		close(dir);
		return -1;
	}
	close(dir);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno == EWOULDBLOCK) {
			long other = holder_pid(fd);

			if (other > 0)
				snprintf(err, err_len, "another contrastd (pid %ld) holds %s/" INSTANCE_LOCK_NAME
					 ": one daemon per state_dir", other, state_dir);
			else
				snprintf(err, err_len, "another contrastd holds %s/" INSTANCE_LOCK_NAME
					 ": one daemon per state_dir", state_dir);
		} else {
			snprintf(err, err_len, "%s/" INSTANCE_LOCK_NAME ": flock: %s", state_dir, strerror(errno));
		}
		close(fd);
		return -1;
	}
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, pid, (size_t)len, 0) != len) {
		snprintf(err, err_len, "%s/" INSTANCE_LOCK_NAME ": writing the PID: %s", state_dir,
			 strerror(errno));
		close(fd);
		return -1;
	}
	l->fd = fd;
	return 0;
}

void instance_unlock(struct instance_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}
