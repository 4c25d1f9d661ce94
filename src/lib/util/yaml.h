/* yaml.h - the pieces every YAML reader of kyojin shares (see yaml.c). */
#ifndef KJ_UTIL_YAML_H
#define KJ_UTIL_YAML_H

#include <glib.h>
#include <yaml.h>

/* A libyaml event reader that reports errors as NAME:LINE:COL in the
 * caller's error domain and code. */
typedef struct {
	yaml_parser_t parser;
	const char *name; /* file name shown in messages */
	GQuark domain;
	gint code;
} KjYamlReader;

/* Sets "NAME:LINE:COL: WHAT 'VALUE'" (VALUE may be NULL); returns FALSE. */
gboolean kj_yaml_fail(KjYamlReader *r, const yaml_mark_t *m, GError **error, const char *what,
		      const char *value);

/* The next event; aliases are refused (no expansion, no shared nodes). */
gboolean kj_yaml_next(KjYamlReader *r, yaml_event_t *ev, GError **error);

/* Index of v in the NULL-terminated names, compared without case. */
gboolean kj_yaml_pick(const char *v, const char *const *names, int *out);

#endif
