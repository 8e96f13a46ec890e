/* SPDX-License-Identifier: MIT */
/*
 * The key tables of the docs, written from the configuration schema
 * (src/core/config_schema.h): `contrastd --list-keys markdown|man`.
 *
 * One block per section, each between marker lines that name it:
 *   markdown  <!-- BEGIN GENERATED KEYS zone -->  ...  <!-- END GENERATED KEYS zone -->
 *   man       .\" BEGIN GENERATED KEYS zone        ...  .\" END GENERATED KEYS zone
 * docs/configuration.md and docs/contrastd.conf.5 hold the same blocks
 * between the same lines; `make docs` puts them there, and
 * tests/process/test_docs_keys.sh fails when they differ.
 */
#ifndef CONTRASTD_CONFIG_DOC_H
#define CONTRASTD_CONFIG_DOC_H

#include <stdbool.h>
#include <stdio.h>

enum config_doc_format {
	CONFIG_DOC_MARKDOWN,    /* a table per section */
	CONFIG_DOC_MAN,         /* a .TP list per section, for contrastd.conf(5) */
};

/* "markdown" or "man": true and *format, or false. */
bool config_doc_format_from_name(const char *name, enum config_doc_format *format);

/* Write every section's block to out. Returns 0, or -1 when out reports a write error. */
int config_doc_write(FILE *out, enum config_doc_format format);

#endif
