/*++
 * NAME
 *	required_floor - the library calls the mail sanitizer cannot avoid
 * SYNOPSIS
 *	required_floor FILE...
 * DESCRIPTION
 *	A second floor for bench/mail/run, beside the GMime floor of
 *	../shared/bench/peers/gmime_floor.c: for each message, what the
 *	sanitizer's specification requires of the libraries it is built on,
 *	and nothing else.  GMime parses the message and decodes every leaf
 *	part (the GMime floor); each attachment is hashed (SHA-256, listed in
 *	the notice) and typed (libmagic on its first 64 KB, the window the
 *	engine uses); each HTML part is parsed by libxml2 (to be turned into
 *	text) and each text/plain part converted to UTF-8 by iconv.  Nothing
 *	is rendered, neutralised, composed, reported or written, and nothing
 *	is isolated, so the engine can only be slower than this.
 *
 *	Prints the number of decoded bytes (so that the work is not
 *	optimised away).  Build: cc -O2 required_floor.c $(pkg-config
 *	--cflags --libs gmime-3.0 libxml-2.0 libcrypto) -lmagic
 * SEE ALSO
 *	bench/mail/run, bench/README.md, src/lib/mime/attach.c (the magic flags)
 *--*/
#include <fcntl.h>
#include <gmime/gmime.h>
#include <iconv.h>
#include <libxml/HTMLparser.h>
#include <magic.h>
#include <openssl/evp.h>
#include <stdio.h>

static magic_t magic_db;
static gsize decoded;

static void hash_and_type(const GByteArray *ba)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(ba->data, ba->len, md, &n, EVP_sha256(), NULL);
	if (ba->len > 0)
		(void)magic_buffer(magic_db, ba->data, MIN(ba->len, 64 * 1024));
}

static void to_utf8(const GByteArray *ba, const char *charset)
{
	iconv_t cd = iconv_open("UTF-8", charset != NULL ? charset : "UTF-8");
	gsize in_left = ba->len, out_left = ba->len * 4 + 16;
	char *out = g_malloc(out_left), *op = out, *ip = (char *)ba->data;

	if (cd != (iconv_t)-1) {
		(void)iconv(cd, &ip, &in_left, &op, &out_left);
		iconv_close(cd);
	}
	g_free(out);
}

static void leaf(GMimeObject *parent, GMimeObject *part, gpointer unused)
{
	(void)parent;
	(void)unused;
	if (!GMIME_IS_PART(part))
		return;
	GMimeDataWrapper *dw = g_mime_part_get_content(GMIME_PART(part));
	if (dw == NULL)
		return;
	GByteArray *ba = g_byte_array_new();
	GMimeStream *mem = g_mime_stream_mem_new_with_byte_array(ba);
	g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(mem), FALSE);
	g_mime_data_wrapper_write_to_stream(dw, mem);
	g_object_unref(mem);
	decoded += ba->len;

	GMimeContentType *ct = g_mime_object_get_content_type(part);
	const char *disp = g_mime_object_get_disposition(part);
	if (disp != NULL && g_ascii_strcasecmp(disp, "attachment") == 0) {
		hash_and_type(ba);
	} else if (g_mime_content_type_is_type(ct, "text", "html")) {
		htmlDocPtr doc =
		    htmlReadMemory((const char *)ba->data, (int)ba->len, NULL, NULL,
				   HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
		if (doc != NULL)
			xmlFreeDoc(doc);
	} else if (g_mime_content_type_is_type(ct, "text", "*")) {
		to_utf8(ba, g_mime_content_type_get_parameter(ct, "charset"));
	} else {
		hash_and_type(ba);
	}
	g_byte_array_free(ba, TRUE);
}

int main(int argc, char **argv)
{
	g_mime_init();
	xmlInitParser();
	magic_db =
	    magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_NO_CHECK_ELF |
		       MAGIC_NO_CHECK_ENCODING | MAGIC_NO_CHECK_TOKENS | MAGIC_NO_CHECK_TEXT);
	if (magic_db == NULL || magic_load(magic_db, NULL) != 0) {
		fprintf(stderr, "required_floor: cannot load the magic database\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		GMimeStream *in = g_mime_stream_fs_open(argv[i], O_RDONLY, 0, NULL);
		if (in == NULL)
			continue;
		GMimeParser *parser = g_mime_parser_new_with_stream(in);
		GMimeMessage *msg = g_mime_parser_construct_message(parser, NULL);
		if (msg != NULL) {
			g_mime_message_foreach(msg, leaf, NULL);
			g_object_unref(msg);
		}
		g_object_unref(parser);
		g_object_unref(in);
	}
	printf("%zu\n", decoded);
	magic_close(magic_db);
	return 0;
}
