/* SPDX-License-Identifier: MIT */
/*
 * Files in a directory the daemon keeps (state_dir, its runtime
 * directory), opened so that nobody else can redirect them:
 *
 *  - safefile_check_dir: the directory must be writable by nobody but the
 *    daemon's user and group (and root). Another user who can write there
 *    could plant a symlink or a FIFO where a record goes.
 *  - safefile_openat: never follows a symlink in the last component
 *    (O_NOFOLLOW), never blocks on a FIFO or a device (O_NONBLOCK while
 *    opening), accepts only a regular file, and adds O_CLOEXEC and
 *    O_NOCTTY. O_CREAT|O_EXCL and the rest are the caller's.
 *
 * No allocation, no state; the messages name the path and the problem.
 */
#ifndef CONTRASTD_SAFEFILE_H
#define CONTRASTD_SAFEFILE_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Is the open directory dirfd (path for messages) one only the daemon's
 * user, its groups and root can write to? Returns 0, or -1 with a
 * message naming the path, the owner or mode, and the fix.
 */
int safefile_check_dir(int dirfd, const char *path, char *err, size_t err_len);

/*
 * Make path (mkdir -p, missing components with mode), open it as a
 * directory and check it with safefile_check_dir. Returns the fd, or -1
 * with a message.
 */
int safefile_open_dir(const char *path, mode_t mode, char *err, size_t err_len);

/*
 * openat(dirfd, name, flags | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, mode),
 * refusing what is not a regular file. Returns the fd (blocking, as
 * flags said), or -1 with errno: ELOOP for a symlink, EINVAL for a file
 * that is not a regular one.
 */
int safefile_openat(int dirfd, const char *name, int flags, mode_t mode);

/* What safefile_openat's errno means, for a message: "a symbolic link (not followed)". */
const char *safefile_strerror(int err);

#endif
