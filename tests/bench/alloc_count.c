/* SPDX-License-Identifier: MIT */
/*
 * An LD_PRELOAD shim that counts heap allocations a process makes after it
 * told systemd READY=1: malloc, calloc, realloc, reallocarray,
 * posix_memalign, aligned_alloc, memalign, valloc and pvalloc, from the
 * program and from every library (glibc routes its own allocations, such
 * as fopen's and opendir's, through the interposed malloc). free is not
 * counted.
 *
 * READY=1 is seen by interposing sd_notify() and sd_pid_notify(): the
 * allocations that call makes are counted too, since the daemon makes it
 * again on every later notification.
 *
 *   ALLOC_COUNT_FILE=PATH   the count after READY=1 is written there (one
 *                           line, "ready N" or "not-ready 0") at READY=1,
 *                           at every counted allocation and at exit
 *   ALLOC_TRACE=1           a backtrace on stderr for each counted one
 *
 * Built by tests/bench/run.sh and tests/process/test_no_alloc.sh:
 *   cc -shared -fPIC -O2 -o alloc_count.so alloc_count.c -ldl
 * glibc only (it calls __libc_malloc and friends).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);
extern void *__libc_valloc(size_t size);
extern void *__libc_pvalloc(size_t size);

static volatile bool ready;
static volatile long count;
static const char *count_file;
static bool trace;
static __thread int inside;     /* an allocation made by our own reporting is not counted */

/* With write(2) and snprintf into a stack buffer only: nothing here allocates. */
static void write_count(void)
{
	char line[64];
	int saved = errno;

	if (!count_file)
		return;
	int fd = open(count_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd >= 0) {
		int n = snprintf(line, sizeof(line), "%s %ld\n", ready ? "ready" : "not-ready", count);

		if (write(fd, line, (size_t)n) < 0) {
			/* Nothing better to do from inside malloc. */
		}
		close(fd);
	}
	errno = saved;
}

static void counted(const char *what, size_t size)
{
	if (!ready || inside)
		return;
	inside++;
	count++;
	if (trace) {
		char head[96];
		void *frames[32];
		int n = snprintf(head, sizeof(head), "alloc_count: %s(%zu) after READY=1, #%ld:\n",
				 what, size, count);

		if (write(STDERR_FILENO, head, (size_t)n) < 0) {
			/* ignore */
		}
		n = backtrace(frames, 32);
		backtrace_symbols_fd(frames, n, STDERR_FILENO);
	}
	write_count();
	inside--;
}

__attribute__((constructor)) static void alloc_count_init(void)
{
	void *frames[2];

	count_file = getenv("ALLOC_COUNT_FILE");
	trace = getenv("ALLOC_TRACE") && strcmp(getenv("ALLOC_TRACE"), "0") != 0;
	/* backtrace() loads libgcc_s on first use, which allocates: do it now. */
	if (trace)
		backtrace(frames, 2);
	write_count();
}

__attribute__((destructor)) static void alloc_count_fini(void)
{
	write_count();
}

void *malloc(size_t size)
{
	counted("malloc", size);
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	counted("calloc", n * size);
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	counted("realloc", size);
	return __libc_realloc(p, size);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size) {
		errno = ENOMEM;
		return NULL;
	}
	counted("reallocarray", n * size);
	return __libc_realloc(p, n * size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
	counted("posix_memalign", size);
	void *p = __libc_memalign(align, size);

	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

void *aligned_alloc(size_t align, size_t size)
{
	counted("aligned_alloc", size);
	return __libc_memalign(align, size);
}

void *memalign(size_t align, size_t size)
{
	counted("memalign", size);
	return __libc_memalign(align, size);
}

void *valloc(size_t size)
{
	counted("valloc", size);
	return __libc_valloc(size);
}

void *pvalloc(size_t size)
{
	counted("pvalloc", size);
	return __libc_pvalloc(size);
}

/* READY=1 anywhere in the message starts the count, after the call. */
static void saw_state(const char *state)
{
	if (!ready && state && (strncmp(state, "READY=1", 7) == 0 || strstr(state, "\nREADY=1"))) {
		ready = true;
		write_count();
	}
}

int sd_notify(int unset_environment, const char *state)
{
	static int (*real)(int, const char *);

	if (!real)
		real = (int (*)(int, const char *))dlsym(RTLD_NEXT, "sd_notify");
	int rc = real ? real(unset_environment, state) : 0;

	saw_state(state);
	return rc;
}

int sd_pid_notify(pid_t pid, int unset_environment, const char *state)
{
	static int (*real)(pid_t, int, const char *);

	if (!real)
		real = (int (*)(pid_t, int, const char *))dlsym(RTLD_NEXT, "sd_pid_notify");
	int rc = real ? real(pid, unset_environment, state) : 0;

	saw_state(state);
	return rc;
}
