/*++
 * NAME
 *	profile - what a site decides about its mail: links, language,
 *	charset, attachments, kept header fields
 * DESCRIPTION
 *	Built-in profiles cover the common choices; a YAML profile file,
 *	read by the front end and handed over as a buffer, names one of them
 *	as its base and changes what it lists:
 *
 *	    name: city-hall
 *	    base: default            # default | ja-iso2022jp | en | strict
 *	    links: defang            # defang | strip | keep
 *	    language: ja             # ja | en
 *	    charset: utf-8           # utf-8 | iso-2022-jp
 *	    attachments: remove      # remove | hold
 *	    keep_headers: [From, To, Cc, Date, Subject, Message-ID]
 *
 *	Unknown keys are errors: a misspelt "attachments: hold" that silently
 *	fell back to remove would deliver what the site meant to hold.
 * SECURITY
 *	Runs in the front end, before any mail is read.  The file comes from
 *	the operator but is parsed defensively: size bound, no aliases, only
 *	the shapes above, header names restricted to RFC 5322 field-name
 *	characters and never the fields the engine writes itself.
 * LIMITS
 *	KJ_MAIL_PROFILE_MAX_BYTES; at most 64 kept header fields.
 * STANDARDS
 *	YAML 1.1 via libyaml; RFC 5322 3.6.8 (field names).  基本方針 2(12).
 * SEE ALSO
 *	mail.h, examples/mail/profile-*.yaml.
 *--*/
#include "mime/mail.h"

#include "util/limits.h"

#include "util/yaml.h"

#include <string.h>
#include <yaml.h>

static const char *const default_headers[] = {"From",     "To",         "Cc",          "Date",
					      "Subject",  "Message-ID", "In-Reply-To", "References",
					      "Reply-To", NULL};

static const char *const builtins[] = {"default", "ja-iso2022jp", "en", "strict", NULL};

const char *const *kj_mail_profile_builtins(void)
{
	return builtins;
}

void kj_mail_profile_free(KjMailProfile *p)
{
	if (p == NULL)
		return;
	g_free(p->name);
	g_ptr_array_unref(p->keep_headers);
	g_free(p);
}

KjMailProfile *kj_mail_profile_new(const char *builtin, GError **error)
{
	const char *name = builtin ? builtin : "default";
	KjMailProfile *p;

	if (!g_strv_contains(builtins, name)) {
		GString *list = g_string_new(NULL);
		for (const char *const *b = builtins; *b; b++)
			g_string_append_printf(list, "%s%s", list->len ? ", " : "", *b);
		g_set_error(error, KJ_MAIL_ERROR, KJ_MAIL_ERROR_PROFILE,
			    "unknown profile '%s' (built-in profiles: %s; or give a YAML file)",
			    name, list->str);
		g_string_free(list, TRUE);
		return NULL;
	}
	p = g_new0(KjMailProfile, 1);
	p->name = g_strdup(name);
	p->keep_headers = g_ptr_array_new_with_free_func(g_free);
	for (const char *const *h = default_headers; *h; h++)
		g_ptr_array_add(p->keep_headers, g_strdup(*h));
	kj_mail_limits_init(&p->limits);
	if (strcmp(name, "ja-iso2022jp") == 0)
		p->charset = KJ_MAIL_CHARSET_ISO2022JP;
	else if (strcmp(name, "en") == 0)
		p->lang = KJ_MAIL_LANG_EN;
	else if (strcmp(name, "strict") == 0)
		p->attachments = KJ_MAIL_ATTACH_HOLD, p->links = KJ_MAIL_LINKS_STRIP;
	return p;
}

static gboolean valid_field_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 76)
		return FALSE;
	for (const char *c = s; *c; c++)
		if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_')
			return FALSE;
	/* The engine writes these itself; keeping the sender's would let
	 * the sender choose the body's type or forge kyojin's verdict. */
	return g_ascii_strncasecmp(s, "Content-", 8) != 0 &&
	       g_ascii_strcasecmp(s, "MIME-Version") != 0 &&
	       g_ascii_strncasecmp(s, "X-Kyojin-", 9) != 0;
}

typedef struct {
	KjYamlReader y;
	KjMailProfile *p;
} Ctx;

static gboolean fail(Ctx *c, const yaml_mark_t *m, GError **error, const char *what,
		     const char *value)
{
	return kj_yaml_fail(&c->y, m, error, what, value);
}

static gboolean next(Ctx *c, yaml_event_t *ev, GError **error)
{
	return kj_yaml_next(&c->y, ev, error);
}

static gboolean set_scalar(Ctx *c, const char *key, const char *v, const yaml_mark_t *m,
			   GError **error)
{
	static const char *const links[] = {"defang", "strip", "keep", NULL};
	static const char *const langs[] = {"ja", "en", NULL};
	static const char *const charsets[] = {"utf-8", "iso-2022-jp", NULL};
	static const char *const atts[] = {"remove", "hold", NULL};
	int i = 0;

	if (strcmp(key, "name") == 0) {
		if (!valid_field_name(v))
			return fail(c, m, error, "name must be letters, digits and '-':", v);
		g_free(c->p->name);
		c->p->name = g_strdup(v);
	} else if (strcmp(key, "links") == 0 && kj_yaml_pick(v, links, &i)) {
		c->p->links = (KjMailLinkMode)i;
	} else if (strcmp(key, "language") == 0 && kj_yaml_pick(v, langs, &i)) {
		c->p->lang = (KjMailLang)i;
	} else if (strcmp(key, "charset") == 0 && kj_yaml_pick(v, charsets, &i)) {
		c->p->charset = (KjMailCharset)i;
	} else if (strcmp(key, "attachments") == 0 && kj_yaml_pick(v, atts, &i)) {
		c->p->attachments = (KjMailAttachPolicy)i;
	} else if (strcmp(key, "base") == 0) {
		return fail(c, m, error, "'base' must come before every key but 'name'", NULL);
	} else {
		return fail(c, m, error, "unknown key or value:", key);
	}
	return TRUE;
}

static gboolean parse_headers(Ctx *c, GError **error)
{
	g_ptr_array_set_size(c->p->keep_headers, 0);
	for (;;) {
		yaml_event_t ev;
		if (!next(c, &ev, error))
			return FALSE;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return TRUE;
		}
		const char *v = (const char *)ev.data.scalar.value;
		gboolean ok = ev.type == YAML_SCALAR_EVENT && valid_field_name(v) &&
			      c->p->keep_headers->len < 64;
		if (ok)
			g_ptr_array_add(c->p->keep_headers, g_strdup(v));
		else
			fail(c, &ev.start_mark, error,
			     "keep_headers: each entry must be a header field name (not Content-*, "
			     "MIME-Version or X-Kyojin-*), at most 64",
			     NULL);
		yaml_event_delete(&ev);
		if (!ok)
			return FALSE;
	}
}

static gboolean parse_map(Ctx *c, GError **error)
{
	for (gboolean first = TRUE;;) {
		yaml_event_t k, v;
		if (!next(c, &k, error))
			return FALSE;
		if (k.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&k);
			return TRUE;
		}
		g_autofree char *key = k.type == YAML_SCALAR_EVENT
					   ? g_strdup((const char *)k.data.scalar.value)
					   : NULL;
		yaml_mark_t km = k.start_mark;
		yaml_event_delete(&k);
		if (key == NULL)
			return fail(c, &km, error, "a key must be a plain name", NULL);
		if (!next(c, &v, error))
			return FALSE;
		gboolean ok;
		if (strcmp(key, "keep_headers") == 0 && v.type == YAML_SEQUENCE_START_EVENT) {
			ok = parse_headers(c, error);
		} else if (v.type != YAML_SCALAR_EVENT) {
			ok = fail(c, &v.start_mark, error, "expected a single value for", key);
		} else if (strcmp(key, "base") == 0 && first) {
			first = FALSE;
			g_autoptr(KjMailProfile) b =
			    kj_mail_profile_new((const char *)v.data.scalar.value, error);
			ok = b != NULL;
			if (ok) {
				KjMailProfile tmp = *c->p;
				*c->p = *b;
				*b = tmp;
				char *n = c->p->name; /* keep this profile's own name */
				c->p->name = b->name;
				b->name = n;
			}
		} else {
			ok = set_scalar(c, key, (const char *)v.data.scalar.value, &v.start_mark,
					error);
		}
		/* "base" may follow "name" only: it would undo other keys. */
		if (strcmp(key, "name") != 0)
			first = FALSE;
		yaml_event_delete(&v);
		if (!ok)
			return FALSE;
	}
}

static gboolean parse_doc(Ctx *c, GError **error)
{
	for (;;) {
		yaml_event_t ev;
		if (!next(c, &ev, error))
			return FALSE;
		yaml_event_type_t t = ev.type;
		yaml_mark_t m = ev.start_mark;
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			return TRUE;
		if (t == YAML_MAPPING_START_EVENT) {
			if (!parse_map(c, error))
				return FALSE;
		} else if (t != YAML_STREAM_START_EVENT && t != YAML_DOCUMENT_START_EVENT &&
			   t != YAML_DOCUMENT_END_EVENT) {
			return fail(c, &m, error, "a profile must be a mapping of keys to values",
				    NULL);
		}
	}
}

KjMailProfile *kj_mail_profile_new_from_data(const char *name, const char *data, gsize len,
					     GError **error)
{
	Ctx c = {.y = {.name = name, .domain = KJ_MAIL_ERROR, .code = KJ_MAIL_ERROR_PROFILE}};

	if (len > KJ_MAIL_PROFILE_MAX_BYTES) {
		g_set_error(error, KJ_MAIL_ERROR, KJ_MAIL_ERROR_PROFILE, "%s: larger than %d bytes",
			    name, KJ_MAIL_PROFILE_MAX_BYTES);
		return NULL;
	}
	c.p = kj_mail_profile_new("default", NULL);
	g_free(c.p->name);
	c.p->name = g_path_get_basename(name);
	char *dot = strrchr(c.p->name, '.');
	if (dot && dot != c.p->name)
		*dot = '\0';
	/* The name goes into an X-Kyojin- header field: ASCII only. */
	g_strcanon(c.p->name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_",
		   '_');
	if (!yaml_parser_initialize(&c.y.parser))
		g_error("libyaml cannot initialise a parser");
	yaml_parser_set_input_string(&c.y.parser, (const unsigned char *)data, len);
	gboolean ok = parse_doc(&c, error);
	yaml_parser_delete(&c.y.parser);
	if (!ok) {
		kj_mail_profile_free(c.p);
		return NULL;
	}
	return c.p;
}
