/* SPDX-License-Identifier: MIT */
/*
 * The protocol table (lib/protocol.h) as documentation:
 * `contrastctl --list-commands FORMAT` prints it, `make docs` puts it
 * between the marker lines of docs/control.md and docs/contrastctl.1, and
 * tests/process/test_docs_commands.sh fails when the committed text
 * differs from what the table gives.
 */
#ifndef CONTRASTCTL_COMMANDS_DOC_H
#define CONTRASTCTL_COMMANDS_DOC_H

#include <stdio.h>

/*
 * Write the commands in format: "markdown" (the table of docs/control.md),
 * "man" (the COMMAND list of contrastctl.1's synopsis) or "words" (each
 * command's name on a line, plot included: what bash completion offers).
 * Returns 0, or -1 for a format it does not know.
 */
int commands_doc(FILE *out, const char *format);

#endif
