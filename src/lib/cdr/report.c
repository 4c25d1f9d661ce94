/*++
 * NAME
 *	report - the result of a file sanitization and its JSON report
 * DESCRIPTION
 *	A KjCdrResult owns everything about one sanitized file: verdict and
 *	reason, detected and declared types, each removal with its location,
 *	the limits hit, and the SHA-256 of input and output.  The report is
 *	its JSON form (format_version 1; fields are only ever added), the
 *	same in the CLI's --report, the audit record and the console.
 * SECURITY
 *	Reasons, locations and names may carry text from the file (member
 *	names, part names); they are stored as data and never used as a
 *	format string.  jansson escapes them in JSON.
 * LIMITS
 *	None of its own; the dispatcher bounds what it records.
 * STANDARDS
 *	基本方針 2(12) (無害化: what was removed must be shown), 6(7)
 *	(records that can be audited).
 * SEE ALSO
 *	cdr.h, cdr.c, isolate.c (the same result across the sandbox).
 *--*/
#include "cdr/cdr_internal.h"

#include "text/text.h"

#include <string.h>

static void action_free(gpointer p)
{
	KjCdrAction *a = p;
	g_free(a->location);
	g_free(a->what);
	g_free(a);
}

KjCdrResult *_kj_cdr_result_new(void)
{
	KjCdrResult *r = g_new0(KjCdrResult, 1);
	r->actions = g_ptr_array_new_with_free_func(action_free);
	r->limits_hit = g_ptr_array_new_with_free_func(g_free);
	return r;
}

void kj_cdr_result_free(KjCdrResult *r)
{
	if (r == NULL)
		return;
	g_free(r->reason);
	g_free(r->detected_type);
	g_free(r->declared_type);
	g_free(r->input_sha256);
	g_free(r->output_sha256);
	if (r->output)
		g_bytes_unref(r->output);
	g_free(r->output_name);
	g_free(r->output_type);
	g_free(r->converter);
	g_ptr_array_unref(r->actions);
	g_ptr_array_unref(r->limits_hit);
	g_free(r);
}

void _kj_cdr_note(KjCdrJob *job, const char *location, const char *what)
{
	KjCdrAction *a = g_new0(KjCdrAction, 1);

	g_return_if_fail(job != NULL && job->actions != NULL && what != NULL);
	/* Part and member names are the file's bytes: valid UTF-8, one line. */
	a->location = kj_text_neutralize(location ? location : "", KJ_NEUTRALIZE_LINE, NULL);
	a->what = kj_text_neutralize(what, KJ_NEUTRALIZE_LINE, NULL);
	g_ptr_array_add(job->actions, a);
}

const char *kj_cdr_verdict_name(KjCdrVerdict v)
{
	switch (v) {
	case KJ_CDR_SANITIZED:
		return "sanitized";
	case KJ_CDR_BLOCKED:
		return "blocked";
	case KJ_CDR_HELD:
		return "held";
	}
	return "held";
}

static json_t *str_or_null(const char *s)
{
	/* Text from hostile files is valid UTF-8 by construction; a broken
	 * string would make jansson refuse the whole report. */
	if (s == NULL)
		return json_null();
	if (!g_utf8_validate(s, -1, NULL)) {
		g_autofree char *fixed = g_utf8_make_valid(s, -1);
		return json_string(fixed);
	}
	return json_string(s);
}

json_t *kj_cdr_result_to_json(const KjCdrResult *r)
{
	json_t *o = json_object();
	json_t *actions = json_array(), *limits = json_array();

	json_object_set_new(o, "format_version", json_integer(1));
	json_object_set_new(o, "verdict", json_string(kj_cdr_verdict_name(r->verdict)));
	json_object_set_new(o, "reason", str_or_null(r->reason));
	json_object_set_new(o, "detected_type", str_or_null(r->detected_type));
	json_object_set_new(o, "declared_type", str_or_null(r->declared_type));
	json_object_set_new(o, "input_sha256", str_or_null(r->input_sha256));
	json_object_set_new(o, "output_sha256", str_or_null(r->output_sha256));
	json_object_set_new(o, "output_name", str_or_null(r->output_name));
	json_object_set_new(o, "output_type", str_or_null(r->output_type));
	json_object_set_new(o, "output_size",
			    r->output ? json_integer((json_int_t)g_bytes_get_size(r->output))
				      : json_null());
	for (guint i = 0; i < r->actions->len; i++) {
		const KjCdrAction *a = r->actions->pdata[i];
		json_t *j = json_object();
		json_object_set_new(j, "location", str_or_null(a->location));
		json_object_set_new(j, "what", str_or_null(a->what));
		json_array_append_new(actions, j);
	}
	json_object_set_new(o, "actions", actions);
	for (guint i = 0; i < r->limits_hit->len; i++)
		json_array_append_new(limits, str_or_null(r->limits_hit->pdata[i]));
	json_object_set_new(o, "limits_hit", limits);
	json_object_set_new(o, "converter", str_or_null(r->converter));
	return o;
}
