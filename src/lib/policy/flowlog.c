/*++
 * NAME
 *	flowlog - parse observed flows from nftables, conntrack and CSV logs
 * DESCRIPTION
 *	One line in, one flow (or a reason why not) out.  Three formats:
 *
 *	  kernel nftables log (syslog, journal or dmesg form):
 *	    "Nov 25 19:07:24 fw kernel: kyojin-drop: IN=veth0 OUT=veth1
 *	     SRC=10.1.1.5 DST=203.0.113.9 ... PROTO=TCP SPT=5123 DPT=443 ..."
 *	  conntrack -L / -E:
 *	    "tcp 6 431999 ESTABLISHED src=10.1.1.5 dst=203.0.113.9
 *	     sport=5123 dport=443 src=... [ASSURED] mark=0 use=1"
 *	  CSV: "src,dst,proto,dport,time" (a header line of that form is
 *	    skipped).
 *
 *	This is the hot path of `policy flows` (a million lines a second
 *	per core is the target), so: no allocation, no regex, no copies
 *	except of an address token into a stack buffer for inet_pton;
 *	fields are found with memmem/memchr, scanning forward only.
 *
 *	A line that is recognisably a flow but lacks a field is TRUNCATED;
 *	a line of no known form is GARBAGE unless it looks like ordinary
 *	syslog traffic (a timestamp first), which is NONE; both are counted
 *	by the caller and never fatal.
 * SECURITY
 *	Log lines can be written by anyone able to log (a forged syslog line
 *	is easy), so nothing here trusts them: every read is bounded by the
 *	line length, numbers are range-checked, and the worst a hostile line
 *	can do is be counted as a flow it did not see.
 * LIMITS
 *	Line length is bounded by the caller (KJ_POLICY_LOG_MAX_LINE_DEFAULT).
 *	A time token is at most 39 bytes.
 * STANDARDS
 *	Linux nf_log_syslog format (net/netfilter/nf_log_syslog.c); the
 *	conntrack-tools output format.  基本方針 6(3)③, 6(7) (監視).
 * SEE ALSO
 *	flows.c (aggregation), fuzz-policy-log.c.
 *--*/
#include "policy/policy_private.h"

#include <netinet/in.h>
#include <string.h>

static const char *find(const char *p, const char *end, const char *needle, gsize nlen)
{
	if (p >= end)
		return NULL;
	return memmem(p, (gsize)(end - p), needle, nlen);
}

/* End of a token: the next space or the end of the line. */
static const char *token_end(const char *p, const char *end)
{
	const char *sp = memchr(p, ' ', (gsize)(end - p));
	return sp ? sp : end;
}

static gboolean parse_uint(const char *p, const char *e, guint max, guint *out)
{
	guint v = 0;

	if (p == e || e - p > 10)
		return FALSE;
	for (; p < e; p++) {
		if (*p < '0' || *p > '9')
			return FALSE;
		v = v * 10 + (guint)(*p - '0');
		if (v > max)
			return FALSE;
	}
	*out = v;
	return TRUE;
}

static int proto_from(const char *p, gsize n)
{
	if (n == 3 && g_ascii_strncasecmp(p, "tcp", 3) == 0)
		return IPPROTO_TCP;
	if (n == 3 && g_ascii_strncasecmp(p, "udp", 3) == 0)
		return IPPROTO_UDP;
	if (n == 4 && g_ascii_strncasecmp(p, "icmp", 4) == 0)
		return IPPROTO_ICMP;
	if (n == 6 && g_ascii_strncasecmp(p, "icmpv6", 6) == 0)
		return IPPROTO_ICMPV6;
	if (n == 1 && p[0] == '6')
		return IPPROTO_TCP;
	if (n == 2 && p[0] == '1' && p[1] == '7')
		return IPPROTO_UDP;
	if (n == 1 && p[0] == '1')
		return IPPROTO_ICMP;
	if (n == 2 && p[0] == '5' && p[1] == '8')
		return IPPROTO_ICMPV6;
	return -1;
}

static gboolean has_ports(int proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP;
}

static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* The timestamp a line starts with (syslog "Nov 25 19:07:24", ISO
 * "2026-11-25T19:07:24+09:00", or "[12345.678901]"), or length 0. */
static gsize leading_time(const char *line, gsize len)
{
	if (len >= 15 && line[3] == ' ' && line[6] == ' ' && line[9] == ':') {
		for (guint m = 0; m < 12; m++)
			if (memcmp(line, months[m], 3) == 0)
				return 15;
		return 0;
	}
	if (len >= 10 && g_ascii_isdigit(line[0]) && line[4] == '-' && line[7] == '-') {
		gsize n = (gsize)(token_end(line, line + len) - line);
		return n < 40 ? n : 0;
	}
	if (len >= 3 && line[0] == '[') {
		const char *rb = memchr(line, ']', MIN(len, (gsize)40));
		return rb ? (gsize)(rb - line + 1) : 0;
	}
	return 0;
}

static KjFlowLogResult parse_nft(const char *line, const char *end, const char *src,
				 KjObservedFlow *out)
{
	const char *p = src + 4, *e = token_end(p, end);

	if (!kj_ip_parse(p, (gsize)(e - p), out->src))
		return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	if (!(p = find(e, end, " DST=", 5)))
		return KJ_FLOWLOG_TRUNCATED;
	p += 5;
	e = token_end(p, end);
	if (!kj_ip_parse(p, (gsize)(e - p), out->dst))
		return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	if (!(p = find(e, end, " PROTO=", 7)))
		return KJ_FLOWLOG_TRUNCATED;
	p += 7;
	e = token_end(p, end);
	if ((out->proto = proto_from(p, (gsize)(e - p))) < 0) {
		guint num;
		if (!parse_uint(p, e, 255, &num))
			return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
		out->proto = (int)num;
	}
	out->dport = 0;
	if (has_ports(out->proto)) {
		if (!(p = find(e, end, " DPT=", 5)))
			return KJ_FLOWLOG_TRUNCATED;
		p += 5;
		e = token_end(p, end);
		if (!parse_uint(p, e, 65535, &out->dport))
			return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	}
	out->time = line;
	out->time_len = leading_time(line, (gsize)(end - line));
	return KJ_FLOWLOG_FLOW;
}

static KjFlowLogResult parse_conntrack(const char *line, const char *end, KjObservedFlow *out)
{
	const char *p = line, *e, *src;

	out->time = line;
	out->time_len = 0;
	if (*p == '[') { /* -o timestamp or -E event prefix(es) */
		const char *rb = memchr(p, ']', (gsize)(end - p));
		if (rb == NULL)
			return KJ_FLOWLOG_TRUNCATED;
		out->time_len = (gsize)(rb - p + 1);
	}
	if (!(src = find(line, end, " src=", 5)))
		return KJ_FLOWLOG_TRUNCATED;
	/* Protocol: the first known protocol name before src=. */
	out->proto = -1;
	for (p = line; p < src && out->proto < 0; p = e + 1) {
		e = token_end(p, src);
		if (g_ascii_isalpha(*p))
			out->proto = proto_from(p, (gsize)(e - p));
	}
	if (out->proto < 0)
		return KJ_FLOWLOG_GARBAGE;
	p = src + 5;
	e = token_end(p, end);
	if (!kj_ip_parse(p, (gsize)(e - p), out->src))
		return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	if (!(p = find(e, end, " dst=", 5)))
		return KJ_FLOWLOG_TRUNCATED;
	p += 5;
	e = token_end(p, end);
	if (!kj_ip_parse(p, (gsize)(e - p), out->dst))
		return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	out->dport = 0;
	if (has_ports(out->proto)) {
		if (!(p = find(e, end, " dport=", 7)))
			return KJ_FLOWLOG_TRUNCATED;
		p += 7;
		e = token_end(p, end);
		if (!parse_uint(p, e, 65535, &out->dport))
			return e == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	}
	return KJ_FLOWLOG_FLOW;
}

static const char *csv_field(const char *p, const char *end, const char **fe)
{
	const char *c = memchr(p, ',', (gsize)(end - p));

	*fe = c ? c : end;
	return c ? c + 1 : NULL;
}

static KjFlowLogResult parse_csv(const char *line, const char *end, KjObservedFlow *out)
{
	const char *f[5], *fe[5], *next = line;
	int n = 0;

	while (n < 5 && next) {
		f[n] = next;
		next = csv_field(next, end, &fe[n]);
		n++;
	}
	if (n < 3)
		return KJ_FLOWLOG_TRUNCATED;
	if (!kj_ip_parse(f[0], (gsize)(fe[0] - f[0]), out->src) ||
	    !kj_ip_parse(f[1], (gsize)(fe[1] - f[1]), out->dst))
		return KJ_FLOWLOG_GARBAGE;
	if ((out->proto = proto_from(f[2], (gsize)(fe[2] - f[2]))) < 0)
		return fe[2] == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	out->dport = 0;
	if (has_ports(out->proto)) {
		if (n < 4)
			return KJ_FLOWLOG_TRUNCATED;
		if (!parse_uint(f[3], fe[3], 65535, &out->dport))
			return fe[3] == end ? KJ_FLOWLOG_TRUNCATED : KJ_FLOWLOG_GARBAGE;
	}
	out->time = n == 5 ? f[4] : end;
	out->time_len = n == 5 ? (gsize)(fe[4] - f[4]) : 0;
	if (out->time_len >= 40)
		out->time_len = 39;
	return KJ_FLOWLOG_FLOW;
}

static gboolean printable(const char *line, gsize len)
{
	for (gsize i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return FALSE;
	}
	return TRUE;
}

KjFlowLogResult kj_flowlog_parse_line(const char *line, gsize len, KjObservedFlow *out)
{
	const char *end, *hit;

	/* An empty buffer may come as NULL (g_memdup2 of nothing); NULL + 0
	 * is undefined behaviour in C, found by fuzz-policy-log. */
	if (line == NULL || len == 0)
		return KJ_FLOWLOG_NONE;
	end = line + len;
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
		end = line + --len;
	if (len == 0 || line[0] == '#')
		return KJ_FLOWLOG_NONE;
	if ((hit = find(line, end, " SRC=", 5)))
		return parse_nft(line, end, hit + 1, out);
	if (find(line, end, KJ_POLICY_LOG_PREFIX, sizeof KJ_POLICY_LOG_PREFIX - 1))
		return KJ_FLOWLOG_TRUNCATED;
	if (find(line, end, " src=", 5) || find(line, end, " dst=", 5))
		return parse_conntrack(line, end, out);
	if (len >= 4 && memcmp(line, "src,", 4) == 0)
		return KJ_FLOWLOG_NONE; /* the CSV header */
	if (memchr(line, ',', len) && (g_ascii_isxdigit(line[0]) || line[0] == ':')) {
		KjFlowLogResult r = parse_csv(line, end, out);
		/* An ISO-dated syslog line with a comma is not a CSV flow. */
		if (r != KJ_FLOWLOG_FLOW && leading_time(line, len) > 0 && printable(line, len))
			return KJ_FLOWLOG_NONE;
		return r;
	}
	if (leading_time(line, len) > 0 && printable(line, len))
		return KJ_FLOWLOG_NONE;
	return KJ_FLOWLOG_GARBAGE;
}
