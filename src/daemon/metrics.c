/*++
 * NAME
 *	metrics - kyojind's counters in Prometheus text format
 * DESCRIPTION
 *	One HTTP/1.0 response per scrape on gateway.metrics_listen
 *	(loopback by default): received, sanitized, held, delivered,
 *	deferred and refused messages, failed TLS handshakes, delivery
 *	latency as a summary, open connections and the backpressure flag.
 * SECURITY
 *	Runs in kyojind; the request is read and ignored, nothing from it
 *	is parsed.  Bind it to a local address only.
 * STANDARDS
 *	Prometheus text exposition format 0.0.4.
 * SEE ALSO
 *	kyojind.c.
 *--*/
#include "daemon/kyojind.h"

char *kjd_metrics_response(const KjdCounters *c)
{
	g_autoptr(GString) b = g_string_new(NULL);
	const struct {
		const char *name;
		guint64 v;
	} counters[] = {
	    {"received", c->received},     {"sanitized", c->sanitized}, {"held", c->held},
	    {"delivered", c->delivered},   {"deferred", c->deferred},   {"refused", c->refused},
	    {"tls_failed", c->tls_failed},
	};

	for (gsize i = 0; i < G_N_ELEMENTS(counters); i++)
		g_string_append_printf(b,
				       "# TYPE kyojind_%s_total counter\n"
				       "kyojind_%s_total %" G_GUINT64_FORMAT "\n",
				       counters[i].name, counters[i].name, counters[i].v);
	g_string_append_printf(b,
			       "# TYPE kyojind_delivery_latency_seconds summary\n"
			       "kyojind_delivery_latency_seconds_sum %.3f\n"
			       "kyojind_delivery_latency_seconds_count %" G_GUINT64_FORMAT "\n"
			       "# TYPE kyojind_connections gauge\nkyojind_connections %u\n"
			       "# TYPE kyojind_backpressure gauge\nkyojind_backpressure %d\n",
			       c->latency_sum, c->latency_count, c->connections, c->busy ? 1 : 0);
	return g_strdup_printf("HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
			       "Content-Length: %" G_GSIZE_FORMAT "\r\n\r\n%s",
			       b->len, b->str);
}
