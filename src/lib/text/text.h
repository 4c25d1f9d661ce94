/* text.h - shared error domain and control-character neutralisation of
 * the text module (see text.c); charset.h, html.h and url.h hold the rest. */
#ifndef KJ_TEXT_TEXT_H
#define KJ_TEXT_TEXT_H

#include <glib.h>

#define KJ_TEXT_ERROR (kj_text_error_quark())
GQuark kj_text_error_quark(void);

typedef enum {
	KJ_TEXT_ERROR_LIMIT,   /* a named limit was exceeded; the message names it */
	KJ_TEXT_ERROR_INVALID, /* the input could not be processed at all */
} KjTextError;

typedef enum {
	/* Body text: keep \n and \t, CRLF and CR become \n. */
	KJ_NEUTRALIZE_BODY,
	/* Headers and file names: one line, whitespace runs collapsed, trimmed. */
	KJ_NEUTRALIZE_LINE,
} KjNeutralizeMode;

/* Returns a newly allocated copy of utf8 (invalid UTF-8 is repaired with
 * U+FFFD first) without C0/C1 controls, DEL, bidi overrides and embeddings,
 * zero-width and other invisible format characters, and with runs of
 * combining marks capped.  *removed (nullable) gets the number of characters
 * dropped.  Never returns NULL for non-NULL input. */
char *kj_text_neutralize(const char *utf8, KjNeutralizeMode mode, guint *removed);

/* Returns a newly allocated display-safe file name: LINE-neutralised, path
 * separators and characters Windows refuses replaced by '_', leading dots
 * and spaces and trailing dots and spaces stripped, ".." collapsed,
 * reserved device names prefixed, at most KJ_TEXT_FILENAME_MAX bytes with
 * the extension kept.  Never empty: "unnamed" when nothing is left. */
char *kj_text_safe_filename(const char *utf8);

/* Display width of a UTF-8 string in terminal columns: East Asian wide and
 * fullwidth characters count 2, combining and zero-width characters 0. */
gsize kj_text_display_width(const char *utf8, gssize len);

#endif
