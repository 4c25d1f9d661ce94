/* ooxml_private.h - shared by ooxml.c (package), ooxml_disarm.c (which
 * parts go) and ooxml_xml.c (XML rewriting); not for other modules. */
#ifndef KJ_CDR_OOXML_PRIVATE_H
#define KJ_CDR_OOXML_PRIVATE_H

#include "cdr/ooxml.h"
#include "util/limits.h"

#define OOXML_REL_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
/* The same namespace in ISO/IEC 29500 Strict documents. */
#define OOXML_REL_NS_STRICT "http://purl.oclc.org/ooxml/officeDocument/relationships"

typedef struct {
	GByteArray *out;
	gsize max;
} OoxmlWriter;

typedef struct {
	KjCdrJob *job;
	GPtrArray *members;      /* KjOoxmlMember*, data NULL when removed */
	GHashTable *removed;     /* lowercased part names removed */
	GHashTable *removed_ids; /* lowercased source part -> GHashTable of rel ids */
	const char *out_type;
	const char *out_ext;
} OoxmlPackage;

gboolean _kj_ooxml_disarm(OoxmlPackage *pkg, GError **error);
void _kj_ooxml_package_clear(OoxmlPackage *pkg);
gboolean _kj_ooxml_write_package(GPtrArray *members, GByteArray *out, gsize max, GError **error);

/* ooxml_xml.c */
GBytes *_kj_ooxml_serialize(xmlDoc *doc);
/* Rewrites one relationships part; ids removed are added to ids. */
gboolean _kj_ooxml_rewrite_rels(OoxmlPackage *pkg, KjOoxmlMember *m, const char *source,
				GHashTable *ids, GError **error);
/* Rewrites one XML part: elements referring to removed relationships,
 * DDE and external-content fields, DDE formulas. */
gboolean _kj_ooxml_rewrite_part(OoxmlPackage *pkg, KjOoxmlMember *m, GHashTable *ids,
				GError **error);
/* Rewrites [Content_Types].xml; returns the main part's new content type
 * (static) or NULL with error. */
const char *_kj_ooxml_rewrite_types(OoxmlPackage *pkg, KjOoxmlMember *m, GError **error);

#endif
