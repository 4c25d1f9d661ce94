/*++
 * NAME
 *	cidr - IPv4 and IPv6 addresses and networks of the segment model
 * DESCRIPTION
 *	Parses "192.0.2.0/24", "2001:db8::/32" and bare addresses into one
 *	representation: IPv4 is kept IPv4-mapped (::ffff:0:0/96) so that a
 *	single sorted table (lpm.c) answers for both families and an IPv4
 *	network can never be mistaken for an IPv6 one.
 *
 *	A network with host bits set ("10.0.0.1/8") is refused: it is
 *	almost always a typo for a host or a different prefix, and silently
 *	masking it would move a host into another segment.
 * SECURITY
 *	Sees model files (operator-written) and flow logs (written by the
 *	kernel, but possibly forged by anyone who can log).  No allocation;
 *	every read is bounded by the length given.
 * LIMITS
 *	An address token is at most INET6_ADDRSTRLEN bytes.
 * STANDARDS
 *	RFC 4291 (IPv6 addressing), RFC 4632 (CIDR), RFC 5952 (text form).
 *	基本方針 2(8)-(10): the segments are defined by their networks.
 * SEE ALSO
 *	lpm.c (longest-prefix match), load.c, check.c.
 *--*/
#include "policy/policy.h"

#include <arpa/inet.h>
#include <string.h>

static const guint8 v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Dotted quad without leading-zero ambiguity: "010" (octal to some
 * parsers) is refused rather than guessed. */
static gboolean parse_v4(const char *s, gsize len, guint8 out[4])
{
	gsize i = 0;

	for (int part = 0; part < 4; part++) {
		guint v = 0;
		gsize start = i;
		while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
			v = v * 10 + (guint)(s[i++] - '0');
		if (i == start || v > 255 || (i - start > 1 && s[start] == '0'))
			return FALSE;
		out[part] = (guint8)v;
		if (part < 3) {
			if (i >= len || s[i] != '.')
				return FALSE;
			i++;
		}
	}
	return i == len;
}

gboolean kj_ip_parse(const char *s, gsize len, guint8 out[16])
{
	char buf[INET6_ADDRSTRLEN + 1];

	if (len == 0)
		return FALSE;
	if (memchr(s, ':', len) == NULL) {
		memcpy(out, v4_mapped, 12);
		return parse_v4(s, len, out + 12);
	}
	if (len >= sizeof buf)
		return FALSE;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return inet_pton(AF_INET6, buf, out) == 1;
}

gboolean kj_cidr_parse(const char *s, gboolean allow_prefix, KjCidr *out, GError **error)
{
	const char *slash = strchr(s, '/');
	gsize alen = slash ? (gsize)(slash - s) : strlen(s);
	guint plen;

	memset(out, 0, sizeof *out);
	if (!kj_ip_parse(s, alen, out->addr)) {
		g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE,
			    "'%s' is not an IPv4 or IPv6 address", s);
		return FALSE;
	}
	out->v4 = memchr(s, ':', alen) == NULL;
	guint maxlen = out->v4 ? 32 : 128;
	if (slash == NULL) {
		plen = maxlen;
	} else {
		const char *p = slash + 1;
		plen = 0;
		if (!allow_prefix) {
			g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE,
				    "'%s': a host address takes no prefix length", s);
			return FALSE;
		}
		if (*p == '\0' || strlen(p) > 3) {
			g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE,
				    "'%s': bad prefix length", s);
			return FALSE;
		}
		for (; *p; p++) {
			if (*p < '0' || *p > '9') {
				g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE,
					    "'%s': bad prefix length", s);
				return FALSE;
			}
			plen = plen * 10 + (guint)(*p - '0');
		}
		if (plen > maxlen) {
			g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE,
				    "'%s': prefix length above %u", s, maxlen);
			return FALSE;
		}
	}
	out->plen = (guint8)(out->v4 ? plen + 96 : plen);
	for (guint bit = out->plen; bit < 128; bit++) {
		if (out->addr[bit / 8] & (0x80 >> (bit % 8))) {
			g_set_error(error, KJ_POLICY_ERROR, KJ_POLICY_ERROR_VALUE,
				    "'%s' has host bits set beyond /%u (did you mean a "
				    "host address, or a shorter prefix?)",
				    s, plen);
			return FALSE;
		}
	}
	return TRUE;
}

void kj_cidr_format(const KjCidr *c, char *buf, gsize len)
{
	char a[INET6_ADDRSTRLEN];
	if (c->v4)
		inet_ntop(AF_INET, c->addr + 12, a, sizeof a);
	else
		inet_ntop(AF_INET6, c->addr, a, sizeof a);
	if (c->plen == 128)
		g_strlcpy(buf, a, len);
	else
		g_snprintf(buf, len, "%s/%u", a, c->v4 ? c->plen - 96u : c->plen);
}

gboolean kj_cidr_contains(const KjCidr *outer, const KjCidr *inner)
{
	if (inner->plen < outer->plen)
		return FALSE;
	guint full = outer->plen / 8, rest = outer->plen % 8;
	if (memcmp(outer->addr, inner->addr, full) != 0)
		return FALSE;
	if (rest == 0)
		return TRUE;
	guint8 mask = (guint8)(0xff << (8 - rest));
	return (outer->addr[full] & mask) == (inner->addr[full] & mask);
}
