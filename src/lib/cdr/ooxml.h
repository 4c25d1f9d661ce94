/* ooxml.h - OOXML internals shared by ooxml.c, ooxml_xml.c, ooxml_text.c
 * and the personal-number scanner (dlp/dlp_file.c). */
#ifndef KJ_CDR_OOXML_H
#define KJ_CDR_OOXML_H

#include "cdr/cdr_private.h"

#include <libxml/tree.h>

/* The text of one part of a document, for dlp/: part is the part name
 * ("word/document.xml", "xl/sharedStrings.xml", "ppt/slides/slide1.xml"),
 * text is UTF-8 with one line per paragraph, cell or shape text. */
typedef struct {
	char *part;
	char *text;
} KjOoxmlText;

/* Returns a GPtrArray of KjOoxmlText* (freeing them), or NULL with
 * error (a KJ_CDR_ERROR code). */
GPtrArray *_kj_cdr_ooxml_text_parts(const guint8 *data, gsize len, const KjCdrOptions *opts,
				    GError **error);

/* One member of a package, read whole. */
typedef struct {
	char *name; /* part name without the leading '/' */
	GBytes *data;
} KjOoxmlMember;

/* Reads every member of a zip package into memory, enforcing the
 * archive limits of opts while streaming.  Returns KjOoxmlMember* in
 * package order, or NULL with error. */
GPtrArray *_kj_ooxml_read_package(const guint8 *data, gsize len, const KjCdrOptions *opts,
				  GError **error);
void _kj_ooxml_member_free(KjOoxmlMember *m);

/* Parses one XML part with entity expansion, DTD loading and network
 * off; a DOCTYPE is refused outright (no OOXML part has one).  NULL with
 * a KJ_CDR_ERROR_CORRUPT error naming the part. */
xmlDoc *_kj_ooxml_parse(const char *part, GBytes *data, GError **error);

#endif
