/* html-private.h - the text buffer and table layout shared by html.c and
 * html_render.c. */
#ifndef KJ_TEXT_HTML_PRIVATE_H
#define KJ_TEXT_HTML_PRIVATE_H

#include <glib.h>

/* One flow of rendered text: the document, or one table cell. */
typedef struct {
	GString *s;
	GString *prefix; /* written at the start of each line: indents, "> " */
	guint want_nl;   /* line breaks owed before the next text, at most 2 */
	gboolean space;  /* collapsed whitespace owed before the next text */
	gsize col;       /* display columns used on the current line */
	gsize brk;       /* offset of the last space on this line, 0 if none */
	guint wrap;      /* wrap column, 0 = none */
} KjhBuf;

KjhBuf *_kj_hbuf_new(gsize size, guint wrap);
/* Frees b; returns its text when steal, else NULL. */
char *_kj_hbuf_free(KjhBuf *b, gboolean steal);
/* Owes n (1 or 2) line breaks before the next text. */
void _kj_hbuf_block(KjhBuf *b, guint n);
/* A <br>: ends the line even if it is empty. */
void _kj_hbuf_br(KjhBuf *b);
/* Text from the document: whitespace collapsed unless pre. */
void _kj_hbuf_text(KjhBuf *b, const char *t, gsize len, gboolean pre);
/* Text kyojin adds (bullets, link targets, notices): not collapsed. */
void _kj_hbuf_add(KjhBuf *b, const char *t);

/* Lays out rows (GPtrArray of GPtrArray of char*) into b; adds to
 * *budget the bytes written and stops when it passes max. */
void _kj_table_render(KjhBuf *b, GPtrArray *rows, gsize *budget, gsize max);

#endif
