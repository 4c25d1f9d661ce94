/* textapi.h - the parts of the text module (src/lib/text) the mail
 * engine uses.  Any header of that module not yet in the tree is stood in
 * for by the prototypes of its agreed contract, and text-shim.c provides
 * a minimal implementation, so that the engine builds and its tests run
 * while the module is being written.  Remove with text-shim.c once the
 * module is complete. */
#ifndef KJ_MIME_TEXTAPI_H
#define KJ_MIME_TEXTAPI_H

#include <glib.h>

#if __has_include("text/text.h")
#include "text/text.h"
#else
#define KJ_TEXT_ERROR (kj_text_error_quark())
GQuark kj_text_error_quark(void);
typedef enum { KJ_TEXT_ERROR_LIMIT, KJ_TEXT_ERROR_INVALID } KjTextError;
typedef enum { KJ_NEUTRALIZE_BODY, KJ_NEUTRALIZE_LINE } KjNeutralizeMode;
char *kj_text_neutralize(const char *utf8, KjNeutralizeMode mode, guint *removed);
char *kj_text_safe_filename(const char *utf8);
#endif

#if __has_include("text/charset.h")
#include "text/charset.h"
#else
typedef struct {
	char charset[64];
	gboolean guessed, mislabelled;
	guint replacements;
} KjCharsetInfo;
char *kj_charset_to_utf8(const char *bytes, gsize len, const char *declared, KjCharsetInfo *info);
char *kj_charset_from_utf8(const char *utf8, gsize len, const char *target, gsize *out_len,
			   guint *unmappable);
#endif

#if __has_include("text/html.h")
#include "text/html.h"
#define KJ_MIME_SHIM_HTML 0
#else
#define KJ_MIME_SHIM_HTML 1
typedef enum { KJ_LINK_DEFANG, KJ_LINK_STRIP, KJ_LINK_KEEP } KjLinkMode;
typedef struct {
	KjLinkMode link_mode;
	guint max_depth;
	guint max_nodes;
	gsize max_output;
	guint wrap_column;
} KjHtmlOptions;
void kj_html_options_init(KjHtmlOptions *opts);
typedef struct {
	char *url, *text;
	gboolean phishing;
	char *shown_domain, *target_domain;
} KjLink;
typedef struct {
	GPtrArray *links;
	guint dropped_elements, tracking_images, hidden_elements, nodes, max_depth_seen;
} KjHtmlResult;
void kj_html_result_clear(KjHtmlResult *res);
char *kj_html_to_text(const char *html, gsize len, const char *charset, const KjHtmlOptions *opts,
		      KjHtmlResult *res, GError **error);
#endif

#if __has_include("text/url.h")
#include "text/url.h"
#define KJ_MIME_SHIM_URL 0
#else
#define KJ_MIME_SHIM_URL 1
char *kj_url_neutralize_text(const char *utf8, KjLinkMode mode, GPtrArray *found, guint *count);
#endif

#endif
