/*++
 * NAME
 *	limits.h - every size, depth, count and time limit of kyojin
 * DESCRIPTION
 *	One place for the limits that protect kyojin from hostile and
 *	accidental input, in the manner of SQLite's sqliteLimit.h.  Each
 *	limit has a default (overridable at build time with -D), the reason
 *	for that default, and a hard ceiling enforced with #error.  Tunable
 *	limits are also listed in the config table (config/config.c), with
 *	their minimum and maximum, under the key given beside each.
 *
 *	Include as "util/limits.h"; it does not replace the system header.
 * STANDARDS
 *	基本方針 6(6): technical measures against malicious programs start with
 *	refusing input that is larger or deeper than anything legitimate.
 *--*/
#ifndef KJ_UTIL_LIMITS_H
#define KJ_UTIL_LIMITS_H

/*
 * Audit log (audit/audit.c).
 */

/* Longest audit record line, in bytes (config: audit.max_record_bytes).
 * Records are written whole under a lock; a bound keeps a runaway
 * "details" object from turning the log into an unreadable file and keeps
 * the tail scan of append() cheap. */
#ifndef KJ_AUDIT_MAX_RECORD_DEFAULT
#define KJ_AUDIT_MAX_RECORD_DEFAULT (64 * 1024)
#endif
#define KJ_AUDIT_MAX_RECORD_MIN 1024
#define KJ_AUDIT_MAX_RECORD_CEILING (16 * 1024 * 1024)
#if KJ_AUDIT_MAX_RECORD_DEFAULT > KJ_AUDIT_MAX_RECORD_CEILING
#error "KJ_AUDIT_MAX_RECORD_DEFAULT is above its ceiling"
#endif

/* Longest actor, action and object strings, in bytes.  They are
 * identifiers, not prose; details carry the prose. */
#define KJ_AUDIT_MAX_FIELD 1024

/* Seconds a writer waits for the audit lock before giving up
 * (config: audit.lock_timeout_s).  A stuck writer must not wedge every
 * process of the site forever; but appends are short, so waiting long
 * means something is wrong. */
#ifndef KJ_AUDIT_LOCK_TIMEOUT_DEFAULT
#define KJ_AUDIT_LOCK_TIMEOUT_DEFAULT 30
#endif
#define KJ_AUDIT_LOCK_TIMEOUT_CEILING 3600
#if KJ_AUDIT_LOCK_TIMEOUT_DEFAULT > KJ_AUDIT_LOCK_TIMEOUT_CEILING
#error "KJ_AUDIT_LOCK_TIMEOUT_DEFAULT is above its ceiling"
#endif

/*
 * Store (store/).
 */

/* Largest blob the store accepts, in bytes (config: store.max_blob_bytes).
 * Mail gateways commonly cap messages at 25-50 MB; an attachment kept in
 * quarantine is never larger than the message that carried it. */
#ifndef KJ_STORE_MAX_BLOB_DEFAULT
#define KJ_STORE_MAX_BLOB_DEFAULT (256LL * 1024 * 1024)
#endif
#define KJ_STORE_MAX_BLOB_MIN (1024LL * 1024)
#define KJ_STORE_MAX_BLOB_CEILING (16LL * 1024 * 1024 * 1024)
#if KJ_STORE_MAX_BLOB_DEFAULT > KJ_STORE_MAX_BLOB_CEILING
#error "KJ_STORE_MAX_BLOB_DEFAULT is above its ceiling"
#endif

/* Milliseconds SQLite waits on a locked database before failing
 * (config: store.busy_timeout_ms).  Several processes (daemon, CLI,
 * console) share one database in WAL mode. */
#ifndef KJ_STORE_BUSY_TIMEOUT_DEFAULT
#define KJ_STORE_BUSY_TIMEOUT_DEFAULT 10000
#endif
#define KJ_STORE_BUSY_TIMEOUT_CEILING 600000
#if KJ_STORE_BUSY_TIMEOUT_DEFAULT > KJ_STORE_BUSY_TIMEOUT_CEILING
#error "KJ_STORE_BUSY_TIMEOUT_DEFAULT is above its ceiling"
#endif

/*
 * Configuration (config/config.c).
 */

/* Largest configuration file, in bytes.  A config is a page of YAML; a
 * huge one is a mistake or an attack on the YAML parser. */
#define KJ_CONFIG_MAX_BYTES (1024 * 1024)

/* Deepest YAML nesting accepted in a configuration file. */
#define KJ_CONFIG_MAX_DEPTH 16

/*
 * Generic file reading (util/fs.c).
 */

/* Default cap for kj_fs_read_file() callers that pass 0. */
#define KJ_FS_READ_MAX_DEFAULT (64LL * 1024 * 1024)

#endif /* KJ_UTIL_LIMITS_H */
