/* SPDX-License-Identifier: MIT */
/* Zeroing without making memory resident. See lazy_zero.h. */
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lazy_zero.h"

void lazy_zero(void *p, size_t len)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)p, end = start + len;

	if (page <= 0 || len < 2 * (size_t)page) {
		memset(p, 0, len);
		return;
	}
	uintptr_t first = (start + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
	uintptr_t last = end & ~((uintptr_t)page - 1);

	memset(p, 0, first - start);
	memset((void *)last, 0, end - last);
	if (mmap((void *)first, last - first, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0) == MAP_FAILED)
		memset((void *)first, 0, last - first);
}
