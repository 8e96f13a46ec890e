/* SPDX-License-Identifier: MIT */
/* Safe opening of the daemon's own files. See safefile.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lib/safefile.h"

#define MAX_GROUPS 256

/* Is gid the daemon's group or one of its supplementary groups? */
static bool group_is_ours(gid_t gid)
{
	gid_t groups[MAX_GROUPS];
	int n;

	if (gid == getegid())
		return true;
	n = getgroups(MAX_GROUPS, groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return true;
	return false;
}

int safefile_check_dir(int dirfd, const char *path, char *err, size_t err_len)
{
	struct stat st;
	uid_t me = geteuid();

	if (fstat(dirfd, &st) < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, err_len, "%s: not a directory", path);
		return -1;
	}
	/* The owner can always make it writable: it must be us or root. */
	if (st.st_uid != me && st.st_uid != 0) {
		snprintf(err, err_len, "%s is owned by uid %ld, not by the daemon's user (uid %ld) or root: "
			 "refusing it (chown it to the daemon's user)", path, (long)st.st_uid, (long)me);
		return -1;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, err_len, "%s is writable by every user (mode %04o): refusing it (chmod o-w %s)",
			 path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	if ((st.st_mode & S_IWGRP) && st.st_gid != 0 && !group_is_ours(st.st_gid)) {
		snprintf(err, err_len, "%s is writable by group %ld, which is not the daemon's (mode %04o): "
			 "refusing it (chmod g-w %s)", path, (long)st.st_gid, (unsigned)(st.st_mode & 07777),
			 path);
		return -1;
	}
	return 0;
}

/* mkdir -p: each missing component with mode. Returns 0 or -1 with errno. */
static int make_dirs(const char *path, mode_t mode)
{
	char tmp[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(tmp, path, len + 1);
	for (size_t i = 1; i <= len; i++) {
		if (tmp[i] != '/' && tmp[i] != '\0')
			continue;
		char saved = tmp[i];

		tmp[i] = '\0';
		if (mkdir(tmp, mode) < 0 && errno != EEXIST)
			return -1;
		tmp[i] = saved;
	}
	return 0;
}

int safefile_open_dir(const char *path, mode_t mode, char *err, size_t err_len)
{
	int fd;

	if (make_dirs(path, mode) < 0) {
		snprintf(err, err_len, "%s: cannot create it: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, err_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (safefile_check_dir(fd, path, err, err_len) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int safefile_openat(int dirfd, const char *name, int flags, mode_t mode)
{
	struct stat st;
	int fd = openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, mode);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	if (!(flags & O_NONBLOCK) && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

const char *safefile_strerror(int err)
{
	if (err == ELOOP)
		return "a symbolic link (not followed)";
	if (err == EINVAL)
		return "not a regular file";
	return strerror(err);
}
