/*++
 * NAME
 *	image_meta - what metadata an image file carried, for the report
 * DESCRIPTION
 *	_kj_image_meta_scan() lists the metadata an image file holds, so
 *	that the report can say what re-encoding dropped: EXIF (and whether
 *	it held a GPS position), XMP, IPTC, ICC profiles, comments, PNG text
 *	chunks, bytes after the end of the image (where polyglots keep
 *	a second file), and the frames of an animation (GIF, APNG), of
 *	which only the first is kept.  Nothing here decides anything: image.c drops all
 *	metadata by decoding to pixels and encoding anew, whatever this
 *	finds or misses.
 * SECURITY
 *	Runs in the sanitizer worker on hostile bytes.  Every offset read
 *	from the file is checked against the buffer before use; IFD walks
 *	read one directory, no pointers are chased beyond the GPS IFD.
 * LIMITS
 *	Linear in the file size; at most 64 KB of segments per JPEG marker.
 * STANDARDS
 *	基本方針 2(12) 無害化通信, 6(3)②, 6(6); also 6(3)① on what leaves:
 *	a photo's GPS position is personal information.  ITU T.81 (JPEG
 *	markers), CIPA DC-008 (Exif 2.3, tag 0x8825 GPSInfo), ISO 15948
 *	(PNG chunks), TIFF 6.0.
 * SEE ALSO
 *	image.c
 *--*/
#include "cdr/image_meta.h"

#include <string.h>

static guint rd16(const guint8 *p, gboolean be)
{
	return be ? (guint)(p[0] << 8 | p[1]) : (guint)(p[1] << 8 | p[0]);
}

static guint32 rd32(const guint8 *p, gboolean be)
{
	return be ? (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3]
		  : (guint32)p[3] << 24 | (guint32)p[2] << 16 | (guint32)p[1] << 8 | p[0];
}

/* Looks through IFD0 of a TIFF structure (a TIFF file, or the body of an
 * Exif block) for the Exif IFD (0x8769) and the GPS IFD (0x8825); a GPS
 * IFD counts when it has at least one entry. */
static void scan_tiff(const guint8 *t, gsize len, KjImageMeta *meta)
{
	gboolean be;
	guint32 ifd;
	guint n;

	if (len < 8 || !(memcmp(t, "II*\0", 4) == 0 || memcmp(t, "MM\0*", 4) == 0))
		return;
	be = t[0] == 'M';
	ifd = rd32(t + 4, be);
	if (ifd > len - 2)
		return;
	n = rd16(t + ifd, be);
	for (guint i = 0; i < n; i++) {
		gsize e = (gsize)ifd + 2 + (gsize)i * 12;
		guint tag;
		guint32 off;

		if (e + 12 > len)
			break;
		tag = rd16(t + e, be);
		off = rd32(t + e + 8, be);
		if (tag == 0x8769)
			meta->exif = TRUE;
		else if (tag == 0x8825 && off <= len - 2 && rd16(t + off, be) > 0)
			meta->gps = TRUE;
	}
}

static gboolean prefix(const guint8 *p, gsize len, const char *s, gsize n)
{
	return len >= n && memcmp(p, s, n) == 0;
}

static void scan_jpeg_segment(guint marker, const guint8 *d, gsize len, KjImageMeta *meta)
{
	if (marker == 0xE1 && prefix(d, len, "Exif\0\0", 6)) {
		meta->exif = TRUE;
		scan_tiff(d + 6, len - 6, meta);
	} else if (marker == 0xE1 && prefix(d, len, "http://ns.adobe.com/", 20)) {
		meta->xmp = TRUE;
	} else if (marker == 0xE2 && prefix(d, len, "ICC_PROFILE\0", 12)) {
		meta->icc = TRUE;
	} else if (marker == 0xED && prefix(d, len, "Photoshop 3.0\0", 14)) {
		meta->iptc = TRUE;
	} else if (marker == 0xFE) {
		meta->comment = TRUE;
	}
}

static void scan_jpeg(const guint8 *p, gsize len, KjImageMeta *meta)
{
	gsize pos = 2;

	while (pos + 4 <= len && p[pos] == 0xFF) {
		guint marker = p[pos + 1];
		gsize seg;

		if (marker == 0xFF) { /* fill byte */
			pos++;
			continue;
		}
		if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
			pos += 2;
			continue;
		}
		if (marker == 0xD9 || marker == 0xDA) /* EOI, or scan data follows */
			break;
		seg = rd16(p + pos + 2, TRUE);
		if (seg < 2 || pos + 2 + seg > len)
			break;
		scan_jpeg_segment(marker, p + pos + 4, seg - 2, meta);
		pos += 2 + seg;
	}
	/* The image ends at the last EOI; an embedded Exif thumbnail has its
	 * own, earlier one. */
	for (gsize i = len; i >= 2 && i > pos; i--) {
		if (p[i - 2] == 0xFF && p[i - 1] == 0xD9) {
			meta->trailing = len - i;
			break;
		}
	}
}

static void scan_png(const guint8 *p, gsize len, KjImageMeta *meta)
{
	gsize pos = 8;

	while (pos + 12 <= len) {
		guint32 n = rd32(p + pos, TRUE);
		const guint8 *type = p + pos + 4;

		if (n > len - pos - 12)
			break;
		if (!memcmp(type, "tEXt", 4) || !memcmp(type, "zTXt", 4) ||
		    !memcmp(type, "iTXt", 4)) {
			meta->text = TRUE;
			if (n >= 17 && !memcmp(p + pos + 8, "XML:com.adobe.xmp", 17))
				meta->xmp = TRUE;
		} else if (!memcmp(type, "eXIf", 4)) {
			meta->exif = TRUE;
			scan_tiff(p + pos + 8, n, meta);
		} else if (!memcmp(type, "iCCP", 4)) {
			meta->icc = TRUE;
		} else if (!memcmp(type, "acTL", 4) && n >= 8) {
			/* APNG: num_frames as declared; decoders show the
			 * default image only. */
			meta->frames = MIN(rd32(p + pos + 8, TRUE), (guint32)G_MAXUINT);
		} else if (!memcmp(type, "IEND", 4)) {
			meta->trailing = len - (pos + 12 + n);
			break;
		}
		pos += 12 + (gsize)n;
	}
}

static gboolean is_gif(const guint8 *p, gsize len);
static void gif_walk(const guint8 *p, gsize len, guint *w, guint *h, KjImageMeta *meta);

void _kj_image_meta_scan(const guint8 *p, gsize len, KjImageMeta *meta)
{
	memset(meta, 0, sizeof *meta);
	if (prefix(p, len, "\xFF\xD8\xFF", 3))
		scan_jpeg(p, len, meta);
	else if (prefix(p, len, "\x89PNG\r\n\x1A\n", 8))
		scan_png(p, len, meta);
	else if (prefix(p, len, "II*\0", 4) || prefix(p, len, "MM\0*", 4))
		scan_tiff(p, len, meta);
	else if (is_gif(p, len)) {
		guint w, h;
		gif_walk(p, len, &w, &h, meta);
	}
}

/* JPEG: the first SOFn segment (not DHT, JPG or DAC, which share the
 * marker range). */
static gboolean jpeg_dims(const guint8 *p, gsize len, guint *w, guint *h)
{
	gsize pos = 2;

	while (pos + 9 <= len && p[pos] == 0xFF) {
		guint m = p[pos + 1];

		if (m == 0xFF) {
			pos++;
			continue;
		}
		if (m == 0xD9 || m == 0xDA)
			break;
		if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
			*h = rd16(p + pos + 5, TRUE);
			*w = rd16(p + pos + 7, TRUE);
			return TRUE;
		}
		if (m == 0x01 || (m >= 0xD0 && m <= 0xD7))
			pos += 2;
		else
			pos += 2 + (gsize)rd16(p + pos + 2, TRUE);
	}
	return FALSE;
}

static gsize gif_skip_blocks(const guint8 *p, gsize len, gsize pos)
{
	while (pos < len) {
		guint n = p[pos];

		pos += 1 + n;
		if (n == 0)
			break;
	}
	return pos;
}

/* GIF: the logical screen, and every image descriptor in the file, which
 * MuPDF decodes in full before clipping it to the screen (a 1x1 screen
 * with an 18177x17993 frame took 9 s and 800 MB; found by fuzz-cdr-image).
 * Counts the frames (image descriptors) and the bytes after the trailer
 * on the way. */
static void gif_walk(const guint8 *p, gsize len, guint *w, guint *h, KjImageMeta *meta)
{
	gsize pos = 13;
	guint frames = 0;

	*w = rd16(p + 6, FALSE);
	*h = rd16(p + 8, FALSE);
	if (p[10] & 0x80)
		pos += 3u << ((p[10] & 7) + 1);
	while (pos < len && p[pos] != 0x3B) {
		if (p[pos] == 0x21) {
			pos = gif_skip_blocks(p, len, pos + 2);
		} else if (p[pos] == 0x2C && pos + 10 <= len) {
			*w = MAX(*w, rd16(p + pos + 5, FALSE));
			*h = MAX(*h, rd16(p + pos + 7, FALSE));
			frames++;
			if (p[pos + 9] & 0x80)
				pos += 3u << ((p[pos + 9] & 7) + 1);
			pos = gif_skip_blocks(p, len, pos + 11);
		} else {
			break;
		}
	}
	if (meta) {
		meta->frames = frames;
		if (pos < len && p[pos] == 0x3B)
			meta->trailing = len - pos - 1;
	}
}

static gboolean is_gif(const guint8 *p, gsize len)
{
	return (prefix(p, len, "GIF87a", 6) || prefix(p, len, "GIF89a", 6)) && len >= 13;
}

gboolean _kj_image_header_dims(const guint8 *p, gsize len, guint *w, guint *h)
{
	if (prefix(p, len, "\x89PNG\r\n\x1A\n", 8) && len >= 24 && !memcmp(p + 12, "IHDR", 4)) {
		*w = rd32(p + 16, TRUE);
		*h = rd32(p + 20, TRUE);
		return TRUE;
	}
	if (is_gif(p, len)) {
		gif_walk(p, len, w, h, NULL);
		return TRUE;
	}
	if (prefix(p, len, "BM", 2) && len >= 26 && rd32(p + 14, FALSE) >= 40) {
		gint32 bw = (gint32)rd32(p + 18, FALSE), bh = (gint32)rd32(p + 22, FALSE);

		*w = bw == G_MININT32 ? G_MAXUINT : (guint)ABS(bw);
		*h = bh == G_MININT32 ? G_MAXUINT : (guint)ABS(bh);
		return TRUE;
	}
	if (prefix(p, len, "\xFF\xD8\xFF", 3))
		return jpeg_dims(p, len, w, h);
	return FALSE;
}

/* Calls note(what) for each finding, in the words of the report. */
void _kj_image_meta_report(const KjImageMeta *meta, void (*note)(gpointer, const char *),
			   gpointer user)
{
	if (meta->exif || meta->gps)
		note(user, meta->gps ? "EXIF metadata removed (GPS position included)"
				     : "EXIF metadata removed");
	if (meta->xmp)
		note(user, "XMP metadata removed");
	if (meta->iptc)
		note(user, "IPTC metadata removed");
	if (meta->comment)
		note(user, "JPEG comment removed");
	if (meta->text)
		note(user, "PNG text chunks removed");
	if (meta->icc)
		note(user, "ICC colour profile removed");
	if (meta->trailing) {
		char what[96];

		g_snprintf(what, sizeof what, "%zu bytes after the end of the image removed",
			   meta->trailing);
		note(user, what);
	}
}
