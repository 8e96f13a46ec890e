/* SPDX-License-Identifier: MIT */
/*
 * The configuration schema: every key of the configuration file, declared
 * once, as one row of a table of plain data (src/core/config_schema.c).
 *
 * A row says where the key lives (section, offset of the field), what it
 * takes (type, range, which bound is a compiled-in hard limit, the size of
 * a string field), its default, unit and a one-line description. Everything
 * else walks the table:
 *  - config_defaults() (config.c) fills every default from it;
 *  - the parser (src/daemon/config_parse.c) looks keys up, parses,
 *    range-checks and reports errors from it;
 *  - `contrastd --list-keys markdown|man` (src/daemon/config_doc.c) prints
 *    the key tables of docs/configuration.md and docs/contrastd.conf.5;
 *  - the tests take defaults and ranges from it (config_schema_find()).
 *
 * Adding a key: a field in struct config (config.h), a row in the table,
 * and the code that uses the value; then `make docs`.
 *
 * Pure data and lookups: no I/O, no allocation.
 */
#ifndef CONTRASTD_CONFIG_SCHEMA_H
#define CONTRASTD_CONFIG_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* The sections, in the order the docs list them. */
enum config_section {
	CONFIG_DAEMON,          /* [daemon]: struct config_daemon */
	CONFIG_BUTTON,          /* [button]: struct config_button */
	CONFIG_THERMISTOR,      /* [thermistor]: struct thermistor_params */
	CONFIG_ZONE,            /* [zone NAME]: struct config_zone, one per zone */
	CONFIG_SAFETY,          /* [safety]: struct config itself (safety.*, power_line, ...) */
	CONFIG_PROGRAM,         /* [program], [program NAME]: struct program, one per program */
	CONFIG_SIMULATE,        /* [simulate]: struct config_simulate (--simulate only) */
	CONFIG_SECTION_COUNT
};

enum config_naming {
	CONFIG_UNNAMED,         /* [daemon] */
	CONFIG_NAME_OPTIONAL,   /* [program] or [program NAME] */
	CONFIG_NAME_REQUIRED,   /* [zone NAME] */
};

struct config_section_info {
	const char *word;       /* as written in the file: "zone" */
	enum config_naming naming;
};

/* What a key's value is, and how it is stored. */
enum config_type {
	CONFIG_REAL,            /* double, in [min, max] */
	CONFIG_INT,             /* int, a whole number in [min, max] */
	CONFIG_BOOL,            /* bool: yes/no, true/false, on/off, 1/0 */
	CONFIG_ENUM,            /* an int-sized enum: one of choices[], stored as its value */
	CONFIG_LINE,            /* GPIO line spec, char[size] */
	CONFIG_SENSOR,          /* DEVICE/CHANNEL, char[size] */
	CONFIG_ABSPATH,         /* absolute path, char[size] */
	CONFIG_SOCKET,          /* absolute path that fits a Unix socket address, char[size] */
	CONFIG_IIO,             /* "local:" or "ip:HOST", char[size] */
	CONFIG_GAIN,            /* zone kp/ki/kd: no field of its own; sets the two keys in
				 * sets[], except one written in the file, whatever the order */
};

/* flags */
#define CONFIG_UNBOUNDED        0x01u   /* a number: any finite value, min and max unused */
#define CONFIG_REQUIRED         0x02u   /* the section is incomplete without it */
#define CONFIG_NO_DEFAULT       0x04u   /* absent means unused: the field stays 0 or "" */

struct config_choice {
	const char *name;       /* as written in the file */
	int value;              /* as stored in the field */
};

struct config_key {
	enum config_section section;
	const char *name;
	enum config_type type;
	size_t offset;          /* of the field in the section's struct (config_section_base()) */
	size_t size;            /* of the field; for strings the buffer, NUL included */
	unsigned flags;
	double min, max;        /* CONFIG_REAL, CONFIG_INT, CONFIG_GAIN */
	const char *min_hard;   /* the limits.h name when min is a hard limit, else NULL */
	const char *max_hard;   /* the same for max */
	double def;             /* default of CONFIG_REAL, CONFIG_INT, CONFIG_BOOL (0 or 1) */
	const char *def_str;    /* default of CONFIG_ENUM (a choice's name) and the strings */
	const struct config_choice *choices;    /* CONFIG_ENUM: ends with a NULL name */
	const char *sets[2];    /* CONFIG_GAIN: the keys it sets, heat_ then cool_ */
	const char *unit;       /* "C", "s", "ohm", "duty/C" ...; "" when none */
	const char *text;       /* what it does, one line */
};

/*
 * The control socket's default path, the [daemon] socket row's default.
 * A macro so that a client (contrastctl) needs no table lookup for it.
 */
#define CONFIG_DEFAULT_SOCKET "/run/contrastd/control.sock"
/* The [daemon] state_dir row's default: where contrastctl plot finds the records. */
#define CONFIG_DEFAULT_STATE_DIR "/var/lib/contrastd"

/* The most rows the table may have (the parser keeps a line number per key). */
#define CONFIG_MAX_KEYS 128

extern const struct config_section_info config_sections[CONFIG_SECTION_COUNT];
extern const struct config_key config_keys[];
extern const int config_n_keys;

/* The row of key name in section s, or NULL. */
const struct config_key *config_schema_find(enum config_section s, const char *name);

/* The section written as word ("zone"), or -1. */
int config_schema_section(const char *word);

/* The value a CONFIG_ENUM key stores for choice name: true and *value, or false. */
bool config_schema_choice(const struct config_key *k, const char *name, int *value);

/* The name of the choice a CONFIG_ENUM key stores as value, or NULL. */
const char *config_schema_choice_name(const struct config_key *k, int value);

#endif
