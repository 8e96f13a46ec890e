/* SPDX-License-Identifier: MIT */
/*
 * Zeroing a large object without making its memory resident. memset(0)
 * writes every page, and a written page is private dirty memory for as
 * long as the process lives, however little of it is used afterwards:
 * the daemon's state is 1.3 MB, most of it the control socket's buffers,
 * which clients touch a page or two at a time. Here the whole pages inside
 * the object are replaced by fresh anonymous ones (mmap MAP_FIXED), which
 * read as zero and cost nothing until written; only the partial pages at
 * the ends are written. Same result as memset(p, 0, len) for the caller.
 *
 * For memory the process owns and may write: static storage, the heap,
 * the stack. Falls back to memset when the mapping cannot be made.
 */
#ifndef CONTRASTD_LAZY_ZERO_H
#define CONTRASTD_LAZY_ZERO_H

#include <stddef.h>

void lazy_zero(void *p, size_t len);

#endif
