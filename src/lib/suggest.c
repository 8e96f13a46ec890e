/* SPDX-License-Identifier: MIT */
/* "Did you mean ...?" by edit distance. See suggest.h. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "suggest.h"
#include "strbuf.h"

static int min3(int a, int b, int c)
{
	int m = a < b ? a : b;

	return m < c ? m : c;
}

int suggest_distance(const char *a, const char *b)
{
	/* Three rows of the dynamic programme: two back for the swap. */
	int rows[3][SUGGEST_MAX_LEN + 1];
	size_t la = strnlen(a, SUGGEST_MAX_LEN), lb = strnlen(b, SUGGEST_MAX_LEN);
	int *prev2 = rows[0], *prev = rows[1], *cur = rows[2];

	for (size_t j = 0; j <= lb; j++)
		prev[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int cost = a[i - 1] == b[j - 1] ? 0 : 1;

			cur[j] = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < cur[j])
				cur[j] = prev2[j - 2] + 1;
		}
		int *t = prev2;

		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

bool suggest_case_only(const char *word, const char *name)
{
	size_t i;

	if (strcmp(word, name) == 0)
		return false;
	for (i = 0; word[i] && name[i]; i++)
		if (tolower((unsigned char)word[i]) != tolower((unsigned char)name[i]))
			return false;
	return word[i] == name[i];
}

/* The largest distance that still counts as a near miss for these lengths. */
static int allowed(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int n = (int)((la > lb ? la : lb) / 3);

	return n < 1 ? 1 : n > 3 ? 3 : n;
}

void suggest_init(struct suggest *s, const char *word)
{
	s->word = word;
	s->best = NULL;
	s->best_distance = 1 << 20;
}

void suggest_offer(struct suggest *s, const char *name)
{
	int d;

	if (name == NULL || name[0] == '\0' || strcmp(name, s->word) == 0)
		return;
	/* A difference of case only is the nearest miss of all. */
	d = suggest_case_only(s->word, name) ? 0 : suggest_distance(s->word, name);
	if (d <= allowed(s->word, name) && d < s->best_distance) {
		s->best = name;
		s->best_distance = d;
	}
}

const char *suggest_closest(const char *word, const char *const names[], int n)
{
	struct suggest s;

	suggest_init(&s, word);
	for (int i = 0; i < n; i++)
		suggest_offer(&s, names[i]);
	return s.best;
}

void suggest_unknown_name(char *buf, size_t len, const char *noun, const char *plural,
			  const char *word, const char *const names[], int n)
{
	const char *best = suggest_closest(word, names, n);
	size_t pos = 0;

	buf[0] = '\0';
	strbuf_appendf(buf, len, &pos, "no %s named '%s' (", noun, word);
	if (best)
		strbuf_appendf(buf, len, &pos, "did you mean '%s'? ", best);
	strbuf_appendf(buf, len, &pos, "%s:", plural);
	for (int i = 0; i < n; i++)
		strbuf_appendf(buf, len, &pos, "%s %s", i ? "," : "", names[i]);
	strbuf_appendf(buf, len, &pos, ")");
}
