/* test-cdr-ooxml-corpus.h - the oletools corpus (../shared/corpus), read
 * in place: every OOXML sample is sanitized and checked like the
 * generated packages; skipped when KJ_CORPUS is unset. */

static const char *corpus_dir(void)
{
	const char *c = g_getenv("KJ_CORPUS");
	return c && *c ? c : NULL;
}

static const char *const ooxml_exts[] = {".docx", ".docm", ".dotx", ".dotm", ".xlsx", ".xlsm",
					 ".xltx", ".xltm", ".xlam", ".pptx", ".pptm", ".potx",
					 ".potm", ".ppsx", ".ppsm", NULL};

static gboolean ooxml_name(const char *name)
{
	for (guint i = 0; ooxml_exts[i]; i++)
		if (g_str_has_suffix(name, ooxml_exts[i]))
			return TRUE;
	return FALSE;
}

static void corpus_walk(const char *dir, guint *done, guint *clean)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (d == NULL)
		return;
	while ((name = g_dir_read_name(d))) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
			if (strcmp(name, "encrypted") != 0)
				corpus_walk(path, done, clean);
			continue;
		}
		if (!ooxml_name(name))
			continue;
		g_autofree char *data = NULL;
		gsize len = 0;
		g_assert_true(g_file_get_contents(path, &data, &len, NULL));
		/* Encrypted Office files are OLE2 whatever their name says:
		 * test_corpus_encrypted() covers them. */
		if (len >= 4 && memcmp(data, "\xd0\xcf\x11\xe0", 4) == 0)
			continue;
		g_autoptr(GBytes) in = g_bytes_new_take(g_steal_pointer(&data), len);
		Run *r = run_engine(in);
		(*done)++;
		if (r->ok) {
			g_autofree char *G_GNUC_UNUSED names = check_output(r->job.out);
			g_assert_null(strstr(r->job.out_ext, "m"));
			(*clean)++;
			g_test_message("%s: sanitized as %s, %u actions", name, r->job.out_ext,
				       r->job.actions->len);
		} else {
			g_test_message("%s: refused: %s", name, r->error->message);
			g_assert_true(r->error->code == KJ_CDR_ERROR_UNSUPPORTED);
		}
		if (strstr(name, "dde-test") && r->ok)
			g_assert_true(noted(r, "DDE"));
		if (g_str_has_suffix(name, "m") && r->ok && strstr(name, "harmless") == NULL &&
		    strstr(name, "external_link") == NULL)
			g_assert_true(r->job.actions->len > 0);
		if (strstr(name, "external_link") && r->ok)
			g_assert_true(noted(r, "external"));
		run_free(r);
	}
}

static void test_corpus(void)
{
	const char *c = corpus_dir();
	if (c == NULL) {
		g_test_skip("KJ_CORPUS not set");
		return;
	}
	g_autofree char *dir = g_build_filename(c, "office", "oletools", NULL);
	guint done = 0, clean = 0;
	corpus_walk(dir, &done, &clean);
	g_test_message("oletools: %u OOXML files, %u sanitized", done, clean);
	if (done == 0)
		g_test_skip("no OOXML files in the corpus");
	g_assert_cmpuint(clean, >=, done * 3 / 4);
}

/* Encrypted Office files are OLE2 compound files, not zip packages: the
 * engine refuses them (the dispatcher holds them as encrypted). */
static void test_corpus_encrypted(void)
{
	const char *c = corpus_dir();
	if (c == NULL) {
		g_test_skip("KJ_CORPUS not set");
		return;
	}
	static const char *const files[] = {"encrypted.docx", "encrypted.xlsx", "encrypted.pptx",
					    "encrypted.docm", "encrypted.xlsm", NULL};
	for (guint i = 0; files[i]; i++) {
		g_autofree char *path =
		    g_build_filename(c, "office", "oletools", "encrypted", files[i], NULL);
		g_autofree char *data = NULL;
		gsize len = 0;
		if (!g_file_get_contents(path, &data, &len, NULL))
			continue;
		g_assert_true(len > 8 && memcmp(data, "\xd0\xcf\x11\xe0", 4) == 0);
		g_autoptr(GBytes) in = g_bytes_new_take(g_steal_pointer(&data), len);
		Run *r = run_engine(in);
		g_assert_false(r->ok);
		g_assert_nonnull(r->error);
		run_free(r);
	}
}

/* The zips of msodde/ hold DDE samples in Word 2003/2007 flat XML and in the
 * binary .doc format, in zips encrypted with "infected-test".  They are
 * opened here in memory (never written out): none is an OOXML package,
 * and the engine must refuse each without crashing. */
static void test_corpus_msodde_zips(void)
{
	const char *c = corpus_dir();
	if (c == NULL) {
		g_test_skip("KJ_CORPUS not set");
		return;
	}
	g_autofree char *dir = g_build_filename(c, "office", "oletools", "msodde", NULL);
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint seen = 0;
	while (d && (name = g_dir_read_name(d))) {
		if (!g_str_has_suffix(name, ".zip"))
			continue;
		g_autofree char *path = g_build_filename(dir, name, NULL);
		struct archive *a = archive_read_new();
		struct archive_entry *e;
		archive_read_support_format_zip(a);
		archive_read_add_passphrase(a, "infected-test");
		g_assert_cmpint(archive_read_open_filename(a, path, 65536), ==, ARCHIVE_OK);
		while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
			GByteArray *b = g_byte_array_new();
			char block[65536];
			la_ssize_t r;
			while ((r = archive_read_data(a, block, sizeof(block))) > 0)
				g_byte_array_append(b, (const guint8 *)block, (guint)r);
			g_assert_cmpint(r, ==, 0);
			g_autoptr(GBytes) in = g_byte_array_free_to_bytes(b);
			Run *run = run_engine(in);
			g_assert_false(run->ok);
			g_test_message("%s: %s", name, run->error->message);
			g_assert_true(run->error->code == KJ_CDR_ERROR_CORRUPT);
			run_free(run);
			seen++;
		}
		archive_read_free(a);
	}
	g_test_message("msodde: %u encrypted-zip members refused as not OOXML", seen);
}
