/*++
 * NAME
 *	yaml - error positions, alias refusal and choices for YAML readers
 * DESCRIPTION
 *	The mail and file profile readers walk libyaml events with their own
 *	grammar; what they share is here: an error names the file, line and
 *	column; an alias is refused wherever it appears (a profile has no
 *	use for one, and an expanding alias is a classic resource attack);
 *	a scalar is matched against a list of choices.
 * SEE ALSO
 *	mime/profile.c, cdr/profile.c
 *--*/
#include "util/yaml.h"

gboolean kj_yaml_fail(KjYamlReader *r, const yaml_mark_t *m, GError **error, const char *what,
		      const char *value)
{
	g_set_error(error, r->domain, r->code, "%s:%zu:%zu: %s%s%s%s", r->name, m ? m->line + 1 : 0,
		    m ? m->column + 1 : 0, what, value ? " '" : "", value ? value : "",
		    value ? "'" : "");
	return FALSE;
}

gboolean kj_yaml_next(KjYamlReader *r, yaml_event_t *ev, GError **error)
{
	if (yaml_parser_parse(&r->parser, ev)) {
		if (ev->type != YAML_ALIAS_EVENT)
			return TRUE;
		yaml_mark_t m = ev->start_mark;
		yaml_event_delete(ev);
		return kj_yaml_fail(r, &m, error, "aliases are not allowed", NULL);
	}
	return kj_yaml_fail(r, &r->parser.problem_mark, error, "not valid YAML:",
			    r->parser.problem ? r->parser.problem : "parse error");
}

gboolean kj_yaml_pick(const char *v, const char *const *names, int *out)
{
	for (int i = 0; names[i]; i++)
		if (g_ascii_strcasecmp(v, names[i]) == 0) {
			*out = i;
			return TRUE;
		}
	return FALSE;
}
