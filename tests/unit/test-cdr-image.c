/* test-cdr-image.c - unit tests for the image engine of cdr/ (MuPDF):
 * generated PNG, GIF, BMP and JPEG files and the EXIF/GPS corpus. */
#include "cdr-test-run.h"
#include "cdr/image_meta.h"
#include "cdr/mupdf.h"

#include <zlib.h>

/* ---- images ---- */

static void put32(GByteArray *a, guint32 v)
{
	guint8 b[4] = {(guint8)(v >> 24), (guint8)(v >> 16), (guint8)(v >> 8), (guint8)v};

	g_byte_array_append(a, b, 4);
}

static void png_chunk(GByteArray *a, const char *type, const void *data, guint32 len)
{
	guint32 crc = (guint32)crc32(0, (const Bytef *)type, 4);

	crc = (guint32)crc32(crc, data, len);
	put32(a, len);
	g_byte_array_append(a, (const guint8 *)type, 4);
	g_byte_array_append(a, data, len);
	put32(a, crc);
}

/* A w x h RGB(A) PNG from MuPDF, with a tEXt chunk (GPS-like comment)
 * put after IHDR and junk after IEND. */
static GBytes *make_png(int w, int h, gboolean alpha)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_pixmap *pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), w, h, NULL, alpha);
	fz_buffer *buf;
	unsigned char *d;
	size_t len;
	GByteArray *a = g_byte_array_new();
	static const char text[] = "Comment\0secret location 35.6N 139.7E";

	fz_clear_pixmap_with_value(ctx, pix, 0x80);
	buf = fz_new_buffer_from_pixmap_as_png(ctx, pix, fz_default_color_params);
	len = fz_buffer_storage(ctx, buf, &d);
	g_byte_array_append(a, d, 33); /* signature and IHDR */
	png_chunk(a, "tEXt", text, sizeof text - 1);
	g_byte_array_append(a, d + 33, (guint)len - 33);
	g_byte_array_append(a, (const guint8 *)"PK\3\4 trailing zip", 18);
	fz_drop_buffer(ctx, buf);
	fz_drop_pixmap(ctx, pix);
	fz_drop_context(ctx);
	return g_byte_array_free_to_bytes(a);
}

/* Width and height of an image as MuPDF decodes it; 0 if it cannot. */
static void image_size(const GByteArray *img, int *w, int *h)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_buffer *volatile buf = NULL;
	fz_image *volatile im = NULL;

	*w = *h = 0;
	fz_try(ctx)
	{
		buf = fz_new_buffer_from_copied_data(ctx, img->data, img->len);
		im = fz_new_image_from_buffer(ctx, buf);
		fz_drop_pixmap(ctx, fz_get_pixmap_from_image(ctx, im, NULL, NULL, NULL, NULL));
		*w = im->w;
		*h = im->h;
	}
	fz_always(ctx)
	{
		fz_drop_image(ctx, im);
		fz_drop_buffer(ctx, buf);
	}
	fz_catch(ctx)
	{
	}
	fz_drop_context(ctx);
}

static void test_png(void)
{
	g_autoptr(GBytes) in = make_png(40, 30, TRUE);
	g_autoptr(Run) r = run_new();
	int w, h;

	run_go(r, _kj_cdr_image, in);
	g_assert_no_error(r->error);
	g_assert_cmpstr(r->job.out_type, ==, "image/png");
	g_assert_null(memmem(r->job.out->data, r->job.out->len, "tEXt", 4));
	g_assert_null(memmem(r->job.out->data, r->job.out->len, "secret", 6));
	g_assert_null(memmem(r->job.out->data, r->job.out->len, "PK\3\4", 4));
	g_assert_true(has_action(r, "PNG text chunks removed"));
	g_assert_true(has_action(r, "18 bytes after the end"));
	image_size(r->job.out, &w, &h);
	g_assert_cmpint(w, ==, 40);
	g_assert_cmpint(h, ==, 30);

	/* PNG to JPEG: transparency flattened. */
	r->opts.image_format = KJ_CDR_IMAGE_JPEG;
	run_go(r, _kj_cdr_image, in);
	g_assert_no_error(r->error);
	g_assert_cmpstr(r->job.out_type, ==, "image/jpeg");
	g_assert_true(has_action(r, "transparency flattened"));
	image_size(r->job.out, &w, &h);
	g_assert_cmpint(w, ==, 40);
}

/* GIF (with a comment extension) and BMP, written here by hand. */
static void test_gif_bmp(void)
{
	static const guint8 gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
				    "\x21\xfe\x06hidden\x00"
				    ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00;";
	guint8 bmp[70] = {'B', 'M', 70, 0, 0, 0, 0, 0, 0, 0,  54, 0, 0, 0, 40, 0,  0, 0, 2,
			  0,   0,   0,  2, 0, 0, 0, 1, 0, 24, 0,  0, 0, 0, 0,  16, 0, 0, 0};
	g_autoptr(GBytes) g = g_bytes_new_static(gif, sizeof gif - 1);
	g_autoptr(GBytes) b = NULL;
	g_autoptr(Run) r = run_new();
	int w, h;

	run_go(r, _kj_cdr_image, g);
	g_assert_no_error(r->error);
	g_assert_cmpstr(r->job.out_type, ==, "image/png");
	g_assert_null(memmem(r->job.out->data, r->job.out->len, "hidden", 6));
	image_size(r->job.out, &w, &h);
	g_assert_cmpint(w, ==, 1);

	memset(bmp + 54, 0x7f, 16);
	b = g_bytes_new(bmp, sizeof bmp);
	run_go(r, _kj_cdr_image, b);
	g_assert_no_error(r->error);
	image_size(r->job.out, &w, &h);
	g_assert_cmpint(w, ==, 2);
	g_assert_cmpint(h, ==, 2);
}

/* A 100000 x 100000 PNG header in 60 bytes: refused from the header. */
static void test_giant_png(void)
{
	GByteArray *a = g_byte_array_new();
	guint8 ihdr[13] = {0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0, 8, 2, 0, 0, 0};
	guint8 idat[] = {0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1};
	g_autoptr(GBytes) in = NULL;
	g_autoptr(Run) r = run_new();

	g_byte_array_append(a, (const guint8 *)"\x89PNG\r\n\x1a\n", 8);
	png_chunk(a, "IHDR", ihdr, sizeof ihdr);
	png_chunk(a, "IDAT", idat, sizeof idat);
	png_chunk(a, "IEND", "", 0);
	in = g_byte_array_free_to_bytes(a);
	run_go(r, _kj_cdr_image, in);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_nonnull(strstr(r->error->message, "100000x100000"));

	/* Within the pixel limit but over the dimension limit. */
	r->opts.image_max_dim = 50000;
	r->opts.image_max_pixels = G_MAXUINT64;
	run_go(r, _kj_cdr_image, in);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_nonnull(strstr(r->error->message, "dimension"));
}

/* A 1x1 GIF screen with an 18177x17993 frame: MuPDF decodes the whole
 * frame before clipping it (found by fuzz-cdr-image: 9 s, 800 MB). */
static void test_giant_gif_frame(void)
{
	static const guint8 gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
				    ",\x00\x00\x00\x00\x01\x47\x49\x46\x00\x02\x02\x44\x01\x00;";
	g_autoptr(GBytes) in = g_bytes_new_static(gif, sizeof gif - 1);
	g_autoptr(Run) r = run_new();

	run_go(r, _kj_cdr_image, in);
	g_assert_error(r->error, KJ_CDR_ERROR, KJ_CDR_ERROR_LIMIT);
	g_assert_nonnull(strstr(r->error->message, "18177x17993"));
}

static void le16(GByteArray *a, guint v)
{
	guint8 b[2] = {(guint8)v, (guint8)(v >> 8)};
	g_byte_array_append(a, b, 2);
}

static void le32(GByteArray *a, guint32 v)
{
	le16(a, v & 0xffff);
	le16(a, v >> 16);
}

/* A little-endian TIFF of n 1x1 grey pages, uncompressed. */
static GBytes *make_tiff(guint n)
{
	GByteArray *a = g_byte_array_new();
	const guint entries = 8, ifd_len = 2 + entries * 12 + 4;
	const guint32 data_at = 8 + n * ifd_len;

	g_byte_array_append(a, (const guint8 *)"II*\0", 4);
	le32(a, 8);
	for (guint i = 0; i < n; i++) {
		static const guint16 tags[][3] = {{256, 3, 1}, {257, 3, 1}, {258, 3, 8},
						  {259, 3, 1}, {262, 3, 1}, {273, 4, 0},
						  {278, 3, 1}, {279, 4, 1}};
		le16(a, entries);
		for (guint e = 0; e < entries; e++) {
			le16(a, tags[e][0]);
			le16(a, tags[e][1]);
			le32(a, 1);
			le32(a, tags[e][0] == 273 ? data_at + i : tags[e][2]);
		}
		le32(a, i + 1 < n ? 8 + (i + 1) * ifd_len : 0);
	}
	for (guint i = 0; i < n; i++)
		g_byte_array_append(a, (const guint8 *)"\x80", 1);
	return g_byte_array_free_to_bytes(a);
}

/* Only the first frame of an animation or page of a multi-page image is
 * kept (PNG and JPEG hold one picture); the report says how many were
 * dropped.  The real animated GIF is in tests/cli/file-frames.sh. */
static void test_frames(void)
{
	/* Three 1x1 frames, the later two different colours. */
	static const guint8 gif[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
				    "!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
				    ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00"
				    ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x4c\x01\x00"
				    ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00;";
	g_autoptr(GBytes) g = g_bytes_new_static(gif, sizeof gif - 1);
	g_autoptr(Run) r = run_new();
	int w, h;

	run_go(r, _kj_cdr_image, g);
	g_assert_no_error(r->error);
	g_assert_true(has_action(r, "animation of 3 frames: only the first kept, 2 dropped"));
	image_size(r->job.out, &w, &h);
	g_assert_cmpint(w, ==, 1);

	/* A still GIF says nothing about frames. */
	static const guint8 still[] = "GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00"
				      ",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02\x44\x01\x00;";
	g_autoptr(GBytes) s = g_bytes_new_static(still, sizeof still - 1);
	run_go(r, _kj_cdr_image, s);
	g_assert_no_error(r->error);
	g_assert_false(has_action(r, "frames"));

	/* APNG: acTL declares 5 frames; the default image is kept. */
	g_autoptr(GBytes) png = make_png(2, 2, FALSE);
	GByteArray *a = g_byte_array_new();
	guint8 actl[8] = {0, 0, 0, 5, 0, 0, 0, 0};
	g_byte_array_append(a, g_bytes_get_data(png, NULL), 33);
	png_chunk(a, "acTL", actl, sizeof actl);
	g_byte_array_append(a, (const guint8 *)g_bytes_get_data(png, NULL) + 33,
			    (guint)g_bytes_get_size(png) - 33);
	g_autoptr(GBytes) apng = g_byte_array_free_to_bytes(a);
	run_go(r, _kj_cdr_image, apng);
	g_assert_no_error(r->error);
	g_assert_true(has_action(r, "animation of 5 frames: only the first kept, 4 dropped"));

	/* A TIFF of 4 pages. */
	g_autoptr(GBytes) tiff = make_tiff(4);
	run_go(r, _kj_cdr_image, tiff);
	g_assert_no_error(r->error);
	g_assert_true(
	    has_action(r, "multi-page image of 4 frames: only the first kept, 3 dropped"));
	g_autoptr(GBytes) tiff1 = make_tiff(1);
	run_go(r, _kj_cdr_image, tiff1);
	g_assert_no_error(r->error);
	g_assert_false(has_action(r, "frames"));
}

/* Truncated images: sanitized from what decodes, or held; never worse. */
static void test_truncated(void)
{
	g_autoptr(GBytes) png = make_png(64, 64, FALSE);
	gsize len = g_bytes_get_size(png);

	for (gsize cut = 8; cut < len; cut += 7) {
		g_autoptr(GBytes) in = g_bytes_new_from_bytes(png, 0, cut);
		g_autoptr(Run) r = run_new();

		run_go(r, _kj_cdr_image, in);
		if (!r->ok)
			g_assert_true(r->error->code == KJ_CDR_ERROR_CORRUPT ||
				      r->error->code == KJ_CDR_ERROR_LIMIT);
	}
}

/* A JPEG made here with EXIF orientation 6 (rotate 90 cw) and a GPS IFD. */
static GBytes *make_jpeg_exif(void)
{
	fz_context *ctx = fz_new_context(NULL, NULL, FZ_STORE_DEFAULT);
	fz_pixmap *pix = fz_new_pixmap(ctx, fz_device_rgb(ctx), 20, 10, NULL, 0);
	g_autoptr(GByteArray) jpg = g_byte_array_new();
	GByteArray *a = g_byte_array_new();
	/* "Exif\0\0", big-endian TIFF, IFD0 at 8 with 2 entries:
	 * Orientation (0x0112) = 6, GPSInfo (0x8825) -> IFD at 38 with one
	 * entry (GPSVersionID 2.2.0.0). */
	static const guint8 app1[] = {
	    0xff, 0xe1, 0x00, 0x40, 'E',  'x', 'i', 'f', 0, 0,  'M', 'M', 0, 42, 0, 0,    0,
	    8,    0,    2,    0x01, 0x12, 0,   3,   0,   0, 0,  1,   0,   6, 0,  0, 0x88, 0x25,
	    0,    4,    0,    0,    0,    1,   0,   0,   0, 38, 0,   0,   0, 0,  0, 1,    0,
	    0,    0,    1,    0,    0,    0,   4,   2,   2, 0,  0,   0,   0, 0,  0};

	fz_clear_pixmap_with_value(ctx, pix, 0x40);
	g_assert_true(_kj_jpeg_encode(ctx, pix, 90, jpg, NULL));
	g_byte_array_append(a, jpg->data, 2);
	g_byte_array_append(a, app1, sizeof app1);
	g_byte_array_append(a, jpg->data + 2, jpg->len - 2);
	fz_drop_pixmap(ctx, pix);
	fz_drop_context(ctx);
	return g_byte_array_free_to_bytes(a);
}

static void assert_no_exif(const Run *r)
{
	KjImageMeta meta;

	g_assert_null(memmem(r->job.out->data, r->job.out->len, "Exif", 4));
	_kj_image_meta_scan(r->job.out->data, r->job.out->len, &meta);
	g_assert_false(meta.exif || meta.gps || meta.xmp || meta.icc || meta.comment);
	g_assert_cmpuint(meta.trailing, ==, 0);
}

static void test_jpeg_exif(void)
{
	g_autoptr(GBytes) in = make_jpeg_exif();
	g_autoptr(Run) r = run_new();
	int w, h;

	run_go(r, _kj_cdr_image, in);
	g_assert_no_error(r->error);
	g_assert_cmpstr(r->job.out_type, ==, "image/jpeg");
	assert_no_exif(r);
	g_assert_true(has_action(r, "EXIF metadata removed (GPS position included)"));
	g_assert_true(has_action(r, "orientation applied"));
	image_size(r->job.out, &w, &h);
	g_assert_cmpint(w, ==, 10);
	g_assert_cmpint(h, ==, 20);
}

static void test_corpus_exif(void)
{
	g_autoptr(GPtrArray) files = corpus_files("images/exif-gps", ".jpg");

	if (files->len == 0) {
		g_test_skip("corpus not found (KJ_CORPUS)");
		return;
	}
	for (guint i = 0; i < files->len; i++) {
		g_autoptr(GBytes) in = slurp(files->pdata[i]);
		g_autoptr(Run) r = run_new();
		KjImageMeta meta;
		int w, h;

		_kj_image_meta_scan(g_bytes_get_data(in, NULL), g_bytes_get_size(in), &meta);
		g_assert_true(meta.exif && meta.gps);
		run_go(r, _kj_cdr_image, in);
		g_assert_no_error(r->error);
		g_assert_cmpstr(r->job.out_type, ==, "image/jpeg");
		assert_no_exif(r);
		g_assert_true(has_action(r, "EXIF metadata removed (GPS position included)"));
		image_size(r->job.out, &w, &h);
		g_assert_cmpint(w, >, 0);
	}
}

int main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/cdr-image/png", test_png);
	g_test_add_func("/cdr-image/gif-bmp", test_gif_bmp);
	g_test_add_func("/cdr-image/giant", test_giant_png);
	g_test_add_func("/cdr-image/giant-gif-frame", test_giant_gif_frame);
	g_test_add_func("/cdr-image/truncated", test_truncated);
	g_test_add_func("/cdr-image/frames", test_frames);
	g_test_add_func("/cdr-image/jpeg-exif", test_jpeg_exif);
	g_test_add_func("/cdr-image/corpus/exif-gps", test_corpus_exif);
	return g_test_run();
}
