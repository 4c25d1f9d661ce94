/* image_meta.h - metadata found in an image file, for the report (see image_meta.c). */
#ifndef KJ_CDR_IMAGE_META_H
#define KJ_CDR_IMAGE_META_H

#include <glib.h>

typedef struct {
	gboolean exif, gps, xmp, iptc, icc, comment, text;
	gsize trailing; /* bytes after the image's end marker */
	guint frames;   /* GIF image descriptors, APNG acTL frames; 0 when not known */
} KjImageMeta;

/* Scans JPEG, PNG, GIF and TIFF files; other formats give all FALSE. */
void _kj_image_meta_scan(const guint8 *data, gsize len, KjImageMeta *meta);
/* Width and height as the header of a PNG, GIF, BMP or JPEG file states
 * them, before any decoder sees the file; FALSE for other formats. */
gboolean _kj_image_header_dims(const guint8 *data, gsize len, guint *w, guint *h);
void _kj_image_meta_report(const KjImageMeta *meta, void (*note)(gpointer, const char *),
			   gpointer user);

#endif
