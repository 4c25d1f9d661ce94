/*++
 * NAME
 *	image - the image engine of CDR: decode to pixels, encode anew
 * DESCRIPTION
 *	_kj_cdr_image() decodes one image with MuPDF (PNG, JPEG, GIF, BMP,
 *	TIFF, PNM, PSD, JPEG 2000, JPEG XR where built, JBIG2) and writes a
 *	new PNG or JPEG (options: image_format; by default JPEG stays JPEG
 *	and everything else becomes PNG) from the pixels alone.  Nothing of
 *	the original file but its pixels survives: no EXIF (with its GPS
 *	position), XMP, IPTC, comments, text chunks, thumbnails, further
 *	frames, or bytes after the image.  ICC profiles are not kept
 *	either (a profile is a second parser's input and can carry free
 *	text): pixels are converted to RGB or gray; Debian's MuPDF is built
 *	without colour management, so profiles are not applied on the way
 *	in either.  The EXIF orientation is applied to
 *	the pixels, so that dropping it does not turn photos on their side.
 *	What was dropped is listed in the report (image_meta.c).
 * SECURITY
 *	Runs in the sanitizer worker under seccomp (see mupdf.c).  The
 *	dimensions in the header are checked against the limits before a
 *	single pixel is decoded (fz_new_image_from_buffer reads headers
 *	only), so a small file claiming 100000x100000 pixels costs nothing.
 * LIMITS
 *	image_max_dim, image_max_pixels, KJ_CDR_MUPDF_MEMORY_DEFAULT.  Debian
 *	links MuPDF against the system libjpeg and openjpeg, which allocate
 *	outside that cap; the pixel limit bounds them and the sandbox's
 *	address-space limit backs it up.
 * STANDARDS
 *	基本方針 2(12) 無害化通信, 6(3)②, 6(6); 6(3)① (a photo's position is
 *	personal information).  PNG (ISO 15948), JPEG (ITU T.81, JFIF).
 * SEE ALSO
 *	image_meta.c, mupdf.c, pdf.c, util/limits.h
 *--*/
#include "cdr/cdr_private.h"
#include "cdr/image_meta.h"
#include "cdr/mupdf.h"
#include "util/limits.h"

#include <string.h>

/* Quality of re-encoded JPEG photos: visually lossless for camera
 * pictures, about the size of the original. */
#define IMAGE_JPEG_QUALITY 90

typedef struct {
	KjMupdf *m;
	KjCdrJob *job;
	fz_buffer *in;
	fz_image *image;
	fz_pixmap *pix;
	fz_buffer *png;
	gboolean jpeg_out;
	gboolean flattened; /* alpha dropped for JPEG */
	guint orientation;
	guint pages; /* TIFF subimages */
	GError *err; /* set by our own checks before they throw */
} Img;

/* Refuses dimensions over the limits.  Called twice: on what the header
 * says, before any decoder runs (MuPDF's own header parsers allocate
 * for some formats), and on what MuPDF then reports. */
static void check_size(Img *im, guint64 w, guint64 h)
{
	const KjCdrOptions *o = im->job->opts;
	guint max_dim = o->image_max_dim ? MIN(o->image_max_dim, KJ_CDR_IMAGE_MAX_DIM_CEILING)
					 : KJ_CDR_IMAGE_MAX_DIM_DEFAULT;
	guint64 max_px = o->image_max_pixels
			     ? MIN(o->image_max_pixels, (guint64)KJ_CDR_IMAGE_MAX_PIXELS_CEILING)
			     : (guint64)KJ_CDR_IMAGE_MAX_PIXELS_DEFAULT;

	if (w == 0 || h == 0)
		g_set_error(&im->err, KJ_CDR_ERROR, KJ_CDR_ERROR_CORRUPT,
			    "image of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT " pixels is empty",
			    w, h);
	else if (w > max_dim || h > max_dim)
		g_set_error(&im->err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "image of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
			    " pixels is over the dimension limit (%u)",
			    w, h, max_dim);
	else if (w * h > max_px)
		g_set_error(&im->err, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT,
			    "image of %" G_GUINT64_FORMAT "x%" G_GUINT64_FORMAT
			    " pixels is over the pixel limit (%" G_GUINT64_FORMAT ")",
			    w, h, max_px);
	if (im->err)
		fz_throw(im->m->ctx, FZ_ERROR_GENERIC, "limit");
}

/* Gray stays gray, everything else (CMYK, Lab, indexed, ICC-based)
 * becomes RGB; alpha is kept for PNG. */
static void normalize(Img *im)
{
	fz_context *ctx = im->m->ctx;
	fz_colorspace *cs = fz_pixmap_colorspace(ctx, im->pix);
	fz_colorspace *want;
	fz_pixmap *conv;

	if (cs && fz_colorspace_is_indexed(ctx, cs)) {
		conv = fz_convert_indexed_pixmap_to_base(ctx, im->pix);
		fz_drop_pixmap(ctx, im->pix);
		im->pix = conv;
		cs = fz_pixmap_colorspace(ctx, im->pix);
	}
	want = cs && fz_colorspace_n(ctx, cs) == 1 ? fz_device_gray(ctx) : fz_device_rgb(ctx);
	if (cs == want && fz_pixmap_spots(ctx, im->pix) == 0)
		return;
	conv = fz_convert_pixmap(ctx, im->pix, want, NULL, NULL, fz_default_color_params, 1);
	fz_drop_pixmap(ctx, im->pix);
	im->pix = conv;
}

/* Source pixel for destination (x, y) under MuPDF's orientation code o
 * (fz_image_orientation: 1-4 rotate 0/90/180/270 ccw, 5-8 the same
 * after a flip on X).  sw, sh: source size. */
static void orient_src(guint o, int x, int y, int sw, int sh, int *sx, int *sy)
{
	int rot = (int)((o - 1) & 3), fx, fy;

	/* Undo the rotation: dest = rot(flip(src)). */
	switch (rot) {
	case 1: /* 90 ccw: (fx, fy) -> (fy, sw-1-fx) */
		fx = sw - 1 - y;
		fy = x;
		break;
	case 2:
		fx = sw - 1 - x;
		fy = sh - 1 - y;
		break;
	case 3: /* 270 ccw: (fx, fy) -> (sh-1-fy, fx) */
		fx = y;
		fy = sh - 1 - x;
		break;
	default:
		fx = x;
		fy = y;
		break;
	}
	*sx = o >= 5 ? sw - 1 - fx : fx;
	*sy = fy;
}

static void reorient(Img *im)
{
	fz_context *ctx = im->m->ctx;
	fz_pixmap *src = im->pix, *dst;
	int sw = fz_pixmap_width(ctx, src), sh = fz_pixmap_height(ctx, src);
	int n = fz_pixmap_components(ctx, src);
	gboolean swap = im->orientation == 2 || im->orientation == 4 || im->orientation == 6 ||
			im->orientation == 8;
	int dw = swap ? sh : sw, dh = swap ? sw : sh;
	ptrdiff_t ss = fz_pixmap_stride(ctx, src), ds;
	const guint8 *sp = fz_pixmap_samples(ctx, src);
	guint8 *dp;

	if (im->orientation <= 1 || im->orientation > 8)
		return;
	dst = fz_new_pixmap(ctx, fz_pixmap_colorspace(ctx, src), dw, dh, NULL,
			    fz_pixmap_alpha(ctx, src));
	ds = fz_pixmap_stride(ctx, dst);
	dp = fz_pixmap_samples(ctx, dst);
	for (int y = 0; y < dh; y++) {
		for (int x = 0; x < dw; x++) {
			int sx, sy;

			orient_src(im->orientation, x, y, sw, sh, &sx, &sy);
			memcpy(dp + y * ds + x * n, sp + sy * ss + sx * n, (size_t)n);
		}
	}
	fz_drop_pixmap(ctx, src);
	im->pix = dst;
}

static void image_run(Img *im)
{
	fz_context *ctx = im->m->ctx;

	guint hw, hh;

	if (_kj_image_header_dims(im->job->data, im->job->len, &hw, &hh))
		check_size(im, hw, hh);
	im->in = fz_new_buffer_from_shared_data(ctx, im->job->data, im->job->len);
	if (im->job->len >= 4 &&
	    (memcmp(im->job->data, "II*\0", 4) == 0 || memcmp(im->job->data, "MM\0*", 4) == 0))
		im->pages =
		    (guint)MAX(fz_load_tiff_subimage_count(ctx, im->job->data, im->job->len), 0);
	im->image = fz_new_image_from_buffer(ctx, im->in);
	check_size(im, (guint64)MAX(im->image->w, 0), (guint64)MAX(im->image->h, 0));
	im->orientation = fz_image_orientation(ctx, im->image);
	im->pix = fz_get_pixmap_from_image(ctx, im->image, NULL, NULL, NULL, NULL);
	fz_drop_image(ctx, im->image);
	im->image = NULL;
	normalize(im);
	reorient(im);
	if (im->jpeg_out) {
		im->flattened = fz_pixmap_alpha(ctx, im->pix) != 0;
		if (!_kj_jpeg_encode(ctx, im->pix, IMAGE_JPEG_QUALITY, im->job->out, &im->err))
			fz_throw(ctx, FZ_ERROR_GENERIC, "JPEG");
	} else {
		unsigned char *data;
		size_t len;

		im->png = fz_new_buffer_from_pixmap_as_png(ctx, im->pix, fz_default_color_params);
		len = fz_buffer_storage(ctx, im->png, &data);
		if (len > G_MAXUINT)
			fz_throw(ctx, FZ_ERROR_MEMORY, "output too large");
		g_byte_array_append(im->job->out, data, (guint)len);
	}
}

static void note_doc(gpointer job, const char *what)
{
	_kj_cdr_note(job, "image", what);
}

static void image_notes(Img *im)
{
	KjImageMeta meta;
	char what[128];

	_kj_image_meta_scan(im->job->data, im->job->len, &meta);
	_kj_image_meta_report(&meta, note_doc, im->job);
	if (im->orientation > 1 && im->orientation <= 8)
		note_doc(im->job, "EXIF orientation applied to the pixels");
	/* PNG and JPEG hold one picture, and MuPDF writes no animation:
	 * the first frame (GIF, APNG's default image) or page (TIFF) is
	 * kept and the report says how many were dropped. */
	guint frames = MAX(meta.frames, im->pages);
	if (frames > 1) {
		g_snprintf(what, sizeof what, "%s of %u frames: only the first kept, %u dropped",
			   im->pages > 1 ? "multi-page image" : "animation", frames, frames - 1);
		note_doc(im->job, what);
	}
	if (im->flattened)
		note_doc(im->job, "transparency flattened onto white (JPEG has none)");
	g_snprintf(what, sizeof what, "decoded and written anew as %s from its pixels only",
		   im->jpeg_out ? "JPEG" : "PNG");
	note_doc(im->job, what);
}

static gboolean is_jpeg(const KjCdrJob *job)
{
	return job->len >= 3 && memcmp(job->data, "\xFF\xD8\xFF", 3) == 0;
}

gboolean _kj_cdr_image(KjCdrJob *job, GError **error)
{
	KjMupdf *m = _kj_mupdf_new(0, 0, error);
	Img *im;
	gboolean ok = TRUE;

	if (!m)
		return FALSE;
	/* out is the engine's (cdr_private.h); the dispatcher may have made it. */
	if (!job->out)
		job->out = g_byte_array_new();
	im = g_new0(Img, 1);
	im->m = m;
	im->job = job;
	im->jpeg_out = job->opts->image_format == KJ_CDR_IMAGE_JPEG ||
		       (job->opts->image_format == KJ_CDR_IMAGE_KEEP_KIND && is_jpeg(job));
	fz_try(m->ctx) image_run(im);
	fz_always(m->ctx)
	{
		fz_drop_buffer(m->ctx, im->png);
		fz_drop_pixmap(m->ctx, im->pix);
		fz_drop_image(m->ctx, im->image);
		fz_drop_buffer(m->ctx, im->in);
	}
	fz_catch(m->ctx)
	{
		ok = FALSE;
		if (im->err)
			g_propagate_error(error, g_steal_pointer(&im->err));
		else
			_kj_mupdf_error(m, error, "image");
	}
	if (!ok)
		g_byte_array_set_size(job->out, 0); /* never half a file */
	if (ok) {
		image_notes(im);
		job->out_type = im->jpeg_out ? "image/jpeg" : "image/png";
		job->out_ext = im->jpeg_out ? "jpg" : "png";
	}
	g_free(im);
	_kj_mupdf_free(m);
	return ok;
}
