/* SPDX-License-Identifier: MIT */
/*
 * "Did you mean ...?": the name closest to a mistyped one, among the names
 * that exist (config keys, section words, program names), by edit
 * distance (insertions, deletions, substitutions and swaps of two
 * neighbours each count 1, case-sensitively).
 *
 * A name counts as close when its distance is at most a third of the
 * longer of the two lengths (at least 1, at most 3): "wram_s" finds
 * "warm_s", "evning" finds "evening", "zz" finds nothing.
 *
 * Pure functions: no I/O, no allocation.
 */
#ifndef CONTRASTD_SUGGEST_H
#define CONTRASTD_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

/* Names longer than this are compared by their first SUGGEST_MAX_LEN characters. */
#define SUGGEST_MAX_LEN 64

/* The edit distance between a and b (optimal string alignment). */
int suggest_distance(const char *a, const char *b);

/* Does word equal name but for the case of its letters (and differ from it)? */
bool suggest_case_only(const char *word, const char *name);

/*
 * Walking a list of names: start with suggest_init(&s, word), offer each
 * name with suggest_offer(); s.best is then the closest close name (the
 * first of equals), or NULL.
 */
struct suggest {
	const char *word;
	const char *best;
	int best_distance;
};

void suggest_init(struct suggest *s, const char *word);
void suggest_offer(struct suggest *s, const char *name);

/* The closest close name of names[0 .. n-1], or NULL. */
const char *suggest_closest(const char *word, const char *const names[], int n);

/*
 * "no program named 'evning' (did you mean 'evening'? programs: default,
 * short, evening)": what a person is told about an unknown name. noun
 * "program", plural "programs"; names[0 .. n-1] are the names that exist.
 */
void suggest_unknown_name(char *buf, size_t len, const char *noun, const char *plural,
			  const char *word, const char *const names[], int n);

#endif
