/* url.h - finding and neutralising URLs in text (see url.c). */
#ifndef KJ_TEXT_URL_H
#define KJ_TEXT_URL_H

#include <glib.h>

#include "text/html.h" /* KjLinkMode */

/* Returns a newly allocated, readable but not clickable form of url:
 * "https://www.example.com/a?b" -> "hxxps://www[.]example[.]com/a?b".
 * http/https/ftp/ftps become hxxp/hxxps/fxp/fxps; every dot of the host
 * (also IP literals and "．" "。") becomes "[.]", "@" before the host
 * "[@]"; "mailto:a@b.jp" -> "mailto:a[@]b[.]jp"; any other scheme keeps
 * its name with its colon as "[:]" ("javascript[:]...", "file[:]//...").
 * A URL without a scheme ("www.example.jp/x") has its host defanged.  The
 * path and query are kept so staff can still read where it pointed.
 * Already-defanged input is returned unchanged. */
char *kj_url_defang(const char *url);

/* Returns a newly allocated copy of text (a host name, or a line naming
 * hosts) with every dot, fullwidth or ideographic full stop bracketed as
 * "[.]", so that no mail client turns a warned-about domain into a link:
 * "login.evil.example.net" becomes "login[.]evil[.]example[.]net". */
char *kj_url_defang_host(const char *text);

/* Finds URLs in plain UTF-8 text: http://, https://, ftp://, ftps://,
 * file:// and www.-prefixed names, also when written with fullwidth
 * letters ("ｈｔｔｐｓ：／／").  Bare domains are left alone so prose is not
 * mangled.  DEFANG replaces each with kj_url_defang() of its ASCII form,
 * STRIP with "[URL削除]", KEEP leaves it.  found (nullable) gets a newly
 * allocated copy of each URL as written; *count (nullable) the number. */
char *kj_url_neutralize_text(const char *utf8, KjLinkMode mode, GPtrArray *found, guint *count);

/* Returns the host of a URL (or of "www.x.jp/..." or "//x.jp"), lower
 * case, IDN in its ASCII (punycode) form, percent-escapes resolved,
 * without userinfo, port and trailing dot; NULL if there is none
 * (relative links, "javascript:"). */
char *kj_url_get_host(const char *url);

/* Returns the host that link text shows to the reader when it looks like
 * a URL or a domain name ("https://www.city.example.lg.jp/",
 * "www.example.com", "example.co.jp/login"), else NULL. */
char *kj_url_shown_host(const char *text);

/* Returns the registrable part of a host: its last two labels, or three
 * when the second-last is a known second level (co.jp, lg.jp, co.uk...);
 * IP literals whole.  Newly allocated. */
char *kj_url_registrable_domain(const char *host);

/* TRUE when the text shown (a URL or domain) and href lead to different
 * registrable domains; FALSE when they agree or either has no host. */
gboolean kj_url_domains_differ(const char *shown, const char *href);

#endif
