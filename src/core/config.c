/* SPDX-License-Identifier: MIT */
/*
 * The configuration's defaults, walked from the schema (config_schema.c,
 * the one place a default is written), and finding a program by name.
 * Pure: no I/O. Parsing is in the shell (src/daemon/config_parse.c).
 */
#include <string.h>
#include "config.h"

/* A latched fault's cause counts as gone after this long clear. Not a key. */

void *config_section_base(struct config *c, enum config_section s, int i)
{
	switch (s) {
	case CONFIG_ZONE:
		return i >= 0 && i < MAX_ZONES ? &c->zones[i] : NULL;
	case CONFIG_PROGRAM:
		return i >= 0 && i < MAX_PROGRAMS ? &c->programs[i] : NULL;
	case CONFIG_DAEMON:
		return i == 0 ? &c->daemon : NULL;
	case CONFIG_BUTTON:
		return i == 0 ? &c->button : NULL;
	case CONFIG_THERMISTOR:
		return i == 0 ? &c->thermistor : NULL;
	case CONFIG_SAFETY:
		return i == 0 ? c : NULL;
	case CONFIG_SIMULATE:
		return i == 0 ? &c->simulate : NULL;
	case CONFIG_SECTION_COUNT:
		break;
	}
	return NULL;
}

/* Store k's default into its field in base. */
static void set_default(const struct config_key *k, char *base)
{
	void *field = base + k->offset;
	int value;

	if (k->flags & (CONFIG_NO_DEFAULT | CONFIG_REQUIRED))
		return;         /* stays 0 or "" */
	switch (k->type) {
	case CONFIG_REAL:
		*(double *)field = k->def;
		break;
	case CONFIG_INT:
		*(int *)field = (int)k->def;
		break;
	case CONFIG_BOOL:
		*(bool *)field = k->def != 0.0;
		break;
	case CONFIG_ENUM:
		if (config_schema_choice(k, k->def_str, &value))
			*(int *)field = value;
		break;
	case CONFIG_LINE:
	case CONFIG_SENSOR:
	case CONFIG_ABSPATH:
	case CONFIG_SOCKET:
	case CONFIG_IIO:
		if (k->def_str != NULL && strlen(k->def_str) < k->size)
			strcpy(field, k->def_str);
		break;
	case CONFIG_GAIN:
		break;          /* no field: it sets others */
	}
}

void config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (int k = 0; k < config_n_keys; k++) {
		const struct config_key *key = &config_keys[k];
		char *base;

		for (int i = 0; (base = config_section_base(c, key->section, i)) != NULL; i++)
			set_default(key, base);
	}

	/* What no key sets. */
	strcpy(c->programs[0].name, "default");
	c->n_programs = 1;
	c->n_zones = 0;
	c->safety.clear_s = SAFETY_CLEAR_S;
}

int config_find_program(const struct config *c, const char *name)
{
	if (name == NULL || name[0] == '\0')
		return c->n_programs > 0 ? 0 : -1;
	for (int i = 0; i < c->n_programs; i++)
		if (strcmp(c->programs[i].name, name) == 0)
			return i;
	return -1;
}
