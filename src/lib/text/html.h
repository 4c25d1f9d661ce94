/* html.h - HTML mail to readable plain text (see html.c, html_render.c). */
#ifndef KJ_TEXT_HTML_H
#define KJ_TEXT_HTML_H

#include <glib.h>

#include "text/text.h"

typedef enum {
	KJ_LINK_DEFANG, /* show the target as "hxxps://www[.]example[.]jp/" */
	KJ_LINK_STRIP,  /* show no target; URLs in text become "[URL削除]" */
	KJ_LINK_KEEP,   /* show the target as it is */
} KjLinkMode;

typedef struct {
	KjLinkMode link_mode;
	guint max_depth;   /* deepest element nesting (KJ_HTML_MAX_DEPTH_DEFAULT) */
	guint max_nodes;   /* most elements and text nodes (KJ_HTML_MAX_NODES_DEFAULT) */
	gsize max_output;  /* largest output in bytes (KJ_HTML_MAX_OUTPUT_DEFAULT) */
	guint wrap_column; /* wrap lines at this display width; 0 = no wrap */
} KjHtmlOptions;

/* Fills opts with DEFANG, the limits' defaults and no wrapping. */
void kj_html_options_init(KjHtmlOptions *opts);

typedef struct {
	char *url;           /* original href, UTF-8 */
	char *text;          /* link text as rendered */
	gboolean phishing;   /* the text shows a different domain than href */
	char *shown_domain;  /* host the text shows, or NULL */
	char *target_domain; /* host of href, or NULL */
} KjLink;

void kj_link_free(KjLink *link);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(KjLink, kj_link_free)

typedef struct {
	GPtrArray *links;       /* KjLink*, owned; created by kj_html_to_text() */
	guint dropped_elements; /* script, style, iframe, object, ... */
	guint tracking_images;  /* 1x1 and known tracker images */
	guint hidden_elements;  /* hidden attribute, display:none, ... */
	guint nodes;            /* elements and text nodes visited */
	guint max_depth_seen;
} KjHtmlResult;

/* Frees what res holds and zeroes it; res itself is the caller's. */
void kj_html_result_clear(KjHtmlResult *res);

/* Renders HTML bytes as newly allocated UTF-8 plain text, neutralised
 * (links per opts->link_mode, controls and bidi overrides removed).
 * charset (nullable) is the MIME label; without it a <meta> charset in the
 * first bytes is used, then detection.  opts NULL means defaults.  res
 * (nullable) is filled (zero it or clear it first).  Returns NULL with
 * KJ_TEXT_ERROR_LIMIT when the nesting, node count or output exceeds the
 * options' limits (the message names the limit), KJ_TEXT_ERROR_INVALID
 * when libxml2 cannot make a document at all. */
char *kj_html_to_text(const char *html, gsize len, const char *charset, const KjHtmlOptions *opts,
		      KjHtmlResult *res, GError **error);

#endif
