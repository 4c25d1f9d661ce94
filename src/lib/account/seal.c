/*++
 * NAME
 *	seal - TOTP secrets encrypted at rest
 * DESCRIPTION
 *	The account table keeps TOTP secrets (active and pending) sealed
 *	with libsodium's secretbox (XSalsa20-Poly1305) under a key that is
 *	not in the database: the file totp.key (32 random bytes, mode 0600)
 *	in the data directory, made on first use.  A sealed value is
 *	"sb1:" and the base64 of a random nonce followed by the box.
 *
 *	Values written before sealing existed are base32 without a prefix:
 *	they are still read as they are, and kj_account_seal_secrets()
 *	(run by kyojin-console at start) rewrites them sealed.
 *
 *	The key file is made whole or not at all: written to a temporary
 *	file, then linked to its name, which fails if another process made
 *	it first (that key is then used).
 * SECURITY
 *	Protects against a copy of the database (a dump, a backup, a
 *	PostgreSQL server's disk) without the data directory's key file:
 *	the secrets in it make no codes.  Does not protect against whoever
 *	can read the data directory (the key is beside the SQLite file) or
 *	runs as the console's user.  The key and the secrets are never
 *	logged or audited; buffers holding them are wiped.
 * STANDARDS
 *	libsodium crypto_secretbox_easy; 基本方針 6(6).
 * SEE ALSO
 *	totp.c, account.c, store/store.c (tells the database its data directory).
 *--*/
#include "account/account.h"

#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SEAL_PREFIX "sb1:"
#define KEY_NAME "totp.key"

static gboolean key_read(const char *path, unsigned char key[crypto_secretbox_KEYBYTES],
			 gboolean *found, GError **error)
{
	struct stat st;
	*found = FALSE;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return TRUE;
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL, "%s: %s", path,
			    g_strerror(errno));
		return FALSE;
	}
	gboolean ok = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
		      st.st_size == crypto_secretbox_KEYBYTES && (st.st_mode & 077) == 0 &&
		      read(fd, key, crypto_secretbox_KEYBYTES) == crypto_secretbox_KEYBYTES;
	close(fd);
	if (!ok) {
		sodium_memzero(key, crypto_secretbox_KEYBYTES);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "%s: not a %d-byte file of mode 0600", path,
			    (int)crypto_secretbox_KEYBYTES);
		return FALSE;
	}
	*found = TRUE;
	return TRUE;
}

/* The key of db's data directory, made if missing and create is set. */
static gboolean key_get(KjDb *db, gboolean create, unsigned char key[crypto_secretbox_KEYBYTES],
			GError **error)
{
	const char *dir = kj_db_get_secrets_dir(db);
	gboolean found = FALSE;

	if (sodium_init() < 0 || dir == NULL) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "no data directory for the TOTP key");
		return FALSE;
	}
	g_autofree char *path = g_build_filename(dir, KEY_NAME, NULL);
	if (!key_read(path, key, &found, error))
		return FALSE;
	if (found)
		return TRUE;
	if (!create) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "%s is missing: the sealed TOTP secrets cannot be read", path);
		return FALSE;
	}
	g_autofree char *tmp = g_strdup_printf("%s.%d.tmp", path, (int)getpid());
	randombytes_buf(key, crypto_secretbox_KEYBYTES);
	gboolean ok = kj_fs_write_atomic(tmp, key, crypto_secretbox_KEYBYTES, 0600, error);
	sodium_memzero(key, crypto_secretbox_KEYBYTES);
	if (!ok)
		return FALSE;
	if (link(tmp, path) != 0 && errno != EEXIST) {
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL, "%s: %s", path,
			    g_strerror(errno));
		unlink(tmp);
		return FALSE;
	}
	unlink(tmp);
	if (!kj_fs_fsync_dir(dir, error))
		return FALSE;
	/* Ours, or the one another process linked first. */
	return key_read(path, key, &found, error) && found;
}

char *_kj_secret_seal(KjDb *db, const char *plain, GError **error)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	gsize n = strlen(plain);
	gsize blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;

	if (!key_get(db, TRUE, key, error))
		return NULL;
	unsigned char *box = g_malloc(blen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n,
			      box, key);
	sodium_memzero(key, sizeof key);
	g_autofree char *b64 = g_base64_encode(box, blen);
	g_free(box);
	return g_strconcat(SEAL_PREFIX, b64, NULL);
}

gboolean _kj_secret_is_sealed(const char *stored)
{
	return stored && g_str_has_prefix(stored, SEAL_PREFIX);
}

char *_kj_secret_open(KjDb *db, const char *stored, GError **error)
{
	unsigned char key[crypto_secretbox_KEYBYTES];
	gsize blen = 0;

	if (stored == NULL)
		return NULL;
	if (!_kj_secret_is_sealed(stored))
		return g_strdup(
		    stored); /* written before sealing; sealed by kj_account_seal_secrets */
	if (!key_get(db, FALSE, key, error))
		return NULL;
	g_autofree guchar *box = g_base64_decode(stored + strlen(SEAL_PREFIX), &blen);
	if (blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) {
		sodium_memzero(key, sizeof key);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "a sealed TOTP secret is malformed");
		return NULL;
	}
	gsize n = blen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
	char *plain = g_malloc0(n + 1);
	int rc =
	    crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
				       blen - crypto_secretbox_NONCEBYTES, box, key);
	sodium_memzero(key, sizeof key);
	if (rc != 0) {
		g_free(plain);
		g_set_error(error, KJ_ACCOUNT_ERROR, KJ_ACCOUNT_ERROR_INTERNAL,
			    "a sealed TOTP secret does not open with %s (another data directory's "
			    "key?)",
			    KEY_NAME);
		return NULL;
	}
	return plain;
}

typedef struct {
	GPtrArray *rows; /* login, active, pending triples */
} Legacy;

static gboolean row_legacy(const KjDbRow *row, gpointer user_data)
{
	Legacy *l = user_data;
	g_ptr_array_add(l->rows, g_strdup(kj_db_row_get_text(row, 0)));
	g_ptr_array_add(l->rows, g_strdup(kj_db_row_get_text(row, 1)));
	g_ptr_array_add(l->rows, g_strdup(kj_db_row_get_text(row, 2)));
	return TRUE;
}

static void wipe_free(gpointer p)
{
	if (p) {
		sodium_memzero(p, strlen(p));
		g_free(p);
	}
}

gboolean kj_account_seal_secrets(KjDb *db, KjAudit *audit, gint64 *sealed, GError **error)
{
	Legacy l = {g_ptr_array_new_with_free_func(wipe_free)};
	gint64 n = 0;
	gboolean ok =
	    kj_db_query(db,
			"SELECT login, totp_secret, totp_pending FROM account"
			" WHERE (totp_secret IS NOT NULL AND totp_secret NOT LIKE 'sb1:%')"
			" OR (totp_pending IS NOT NULL AND totp_pending NOT LIKE 'sb1:%')",
			KJ_DB_NO_ARGS, row_legacy, &l, error);

	for (guint i = 0; ok && i + 2 < l.rows->len; i += 3) {
		const char *login = l.rows->pdata[i];
		const char *act = l.rows->pdata[i + 1], *pen = l.rows->pdata[i + 2];
		g_autofree char *sa = act && !_kj_secret_is_sealed(act)
					  ? _kj_secret_seal(db, act, error)
					  : g_strdup(act);
		g_autofree char *sp = NULL;
		if (act && !sa) {
			ok = FALSE;
			break;
		}
		sp = pen && !_kj_secret_is_sealed(pen) ? _kj_secret_seal(db, pen, error)
						       : g_strdup(pen);
		if (pen && !sp) {
			ok = FALSE;
			break;
		}
		/* Only the values read are replaced: a change meanwhile wins. */
		ok = kj_db_exec(
		    db,
		    "UPDATE account SET totp_secret = $2, totp_pending = $3 WHERE login = $1"
		    " AND totp_secret IS NOT DISTINCT FROM $4"
		    " AND totp_pending IS NOT DISTINCT FROM $5",
		    KJ_DB_ARGS(KJ_DB_TEXT(login), sa ? KJ_DB_TEXT(sa) : KJ_DB_NULL,
			       sp ? KJ_DB_TEXT(sp) : KJ_DB_NULL, act ? KJ_DB_TEXT(act) : KJ_DB_NULL,
			       pen ? KJ_DB_TEXT(pen) : KJ_DB_NULL),
		    error);
		n += ok ? kj_db_changes(db) : 0;
	}
	g_ptr_array_unref(l.rows);
	if (!ok)
		return FALSE;
	if (sealed)
		*sealed = n;
	if (n > 0 && audit) {
		json_t *d = json_pack("{s:I}", "accounts", (json_int_t)n);
		ok = kj_audit_append(audit, "kyojin", "account.totp_sealed", "account", d, NULL,
				     error);
		json_decref(d);
	}
	return ok;
}
