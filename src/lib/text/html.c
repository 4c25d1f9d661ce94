/*++
 * NAME
 *	html - HTML mail to readable, harmless plain text
 * DESCRIPTION
 *	kj_html_to_text() parses an HTML part with libxml2's HTML parser and
 *	walks the tree once, rendering what a reader would see: paragraphs,
 *	lists, headings, aligned tables, image alt text, link text followed
 *	by where the link goes (defanged).  What a reader would not see is
 *	dropped and counted: scripts, styles, frames, objects, elements
 *	hidden by attribute or inline style, tracking pixels.  Links whose
 *	text shows one domain and whose target is another are reported as
 *	phishing and marked in the text.
 *
 *	The bytes are decoded to UTF-8 by charset.c first (MIME label, else
 *	<meta charset>, else detection) and libxml2 is told UTF-8 and to
 *	ignore <meta>, so Shift_JIS and ISO-2022-JP pages render correctly.
 * SECURITY
 *	Runs in the sanitizer worker on attacker HTML.  libxml2 is used
 *	with RECOVER and NONET, without XML_PARSE_HUGE, and never loads a
 *	DTD or anything external (HTML has no entity definitions; only the
 *	built-in named entities are decoded).  The tree walk is iterative
 *	(parent and sibling pointers), so nesting cannot exhaust the C
 *	stack; per-element state lives in an array bounded by max_depth.
 *	libxml2 itself stops at 256 levels: that is reported as the depth
 *	limit, never as a silently truncated document.
 * LIMITS
 *	KjHtmlOptions max_depth, max_nodes (also checked on the raw bytes
 *	before parsing, to bound libxml2's memory), max_output;
 *	KJ_HTML_META_SCAN_BYTES.  Exceeding one gives KJ_TEXT_ERROR_LIMIT,
 *	which the caller turns into a held verdict.
 * STANDARDS
 *	HTML Living Standard (rendering, hidden, meta charset prescan).
 *	基本方針 2(12): HTML mail is turned into text before LGWAN; 6(6):
 *	active content (scripts, objects) never crosses.
 * SEE ALSO
 *	html_render.c, charset.c, url.c
 *--*/
#include "text/html.h"

#include "text/charset.h"
#include "text/html-private.h"
#include "text/url.h"
#include "util/limits.h"

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdint.h>
#include <string.h>

typedef enum {
	E_INLINE,
	E_DROP,
	E_BLOCK1,
	E_BLOCK2,
	E_BR,
	E_HEADING,
	E_LIST,
	E_OLIST,
	E_LI,
	E_TABLE,
	E_TR,
	E_CELL,
	E_PRE,
	E_QUOTE,
	E_HR,
	E_IMG,
	E_A,
	E_VOID, /* input and the like: nothing to show */
} Kind;

static const struct {
	const char *name;
	Kind kind;
} elements[] = {
    {"a", E_A},
    {"address", E_BLOCK1},
    {"applet", E_DROP},
    {"article", E_BLOCK1},
    {"aside", E_BLOCK1},
    {"audio", E_DROP},
    {"base", E_DROP},
    {"blockquote", E_QUOTE},
    {"br", E_BR},
    {"canvas", E_DROP},
    {"caption", E_BLOCK1},
    {"center", E_BLOCK1},
    {"dd", E_BLOCK1},
    {"details", E_BLOCK1},
    {"dir", E_LIST},
    {"div", E_BLOCK1},
    {"dl", E_BLOCK2},
    {"dt", E_BLOCK1},
    {"embed", E_DROP},
    {"fieldset", E_BLOCK1},
    {"figcaption", E_BLOCK1},
    {"figure", E_BLOCK1},
    {"footer", E_BLOCK1},
    {"form", E_BLOCK1},
    {"frame", E_DROP},
    {"frameset", E_DROP},
    {"h1", E_HEADING},
    {"h2", E_HEADING},
    {"h3", E_HEADING},
    {"h4", E_HEADING},
    {"h5", E_HEADING},
    {"h6", E_HEADING},
    {"head", E_DROP},
    {"header", E_BLOCK1},
    {"hr", E_HR},
    {"iframe", E_DROP},
    {"img", E_IMG},
    {"input", E_VOID},
    {"legend", E_BLOCK1},
    {"li", E_LI},
    {"link", E_DROP},
    {"listing", E_PRE},
    {"main", E_BLOCK1},
    {"math", E_DROP},
    {"menu", E_LIST},
    {"meta", E_DROP},
    {"nav", E_BLOCK1},
    {"noembed", E_DROP},
    {"noframes", E_DROP},
    {"noscript", E_DROP},
    {"object", E_DROP},
    {"ol", E_OLIST},
    {"p", E_BLOCK2},
    {"param", E_DROP},
    {"plaintext", E_PRE},
    {"pre", E_PRE},
    {"script", E_DROP},
    {"section", E_BLOCK1},
    {"select", E_DROP},
    {"source", E_DROP},
    {"style", E_DROP},
    {"summary", E_BLOCK1},
    {"svg", E_DROP},
    {"table", E_TABLE},
    {"td", E_CELL},
    {"template", E_DROP},
    {"textarea", E_BLOCK1},
    {"th", E_CELL},
    {"title", E_DROP},
    {"tr", E_TR},
    {"track", E_DROP},
    {"ul", E_LIST},
    {"video", E_DROP},
    {"xmp", E_PRE},
};

/* Immutable after the first call. */
static GHashTable *kind_table(void)
{
	static GHashTable *table;

	if (g_once_init_enter(&table)) {
		GHashTable *t = g_hash_table_new(g_str_hash, g_str_equal);
		for (gsize i = 0; i < G_N_ELEMENTS(elements); i++)
			g_hash_table_insert(t, (gpointer)(uintptr_t)elements[i].name,
					    GINT_TO_POINTER(elements[i].kind + 1));
		g_once_init_leave(&table, t);
	}
	return table;
}

static Kind kind_of(const xmlNode *n)
{
	gpointer v = g_hash_table_lookup(kind_table(), n->name);
	return v != NULL ? (Kind)(GPOINTER_TO_INT(v) - 1) : E_INLINE;
}

typedef struct {
	Kind kind;
	gsize prefix_len; /* prefix before this element changed it */
	KjhBuf *link_buf; /* E_A: where the link text went */
	gsize link_start;
	char *href;      /* E_A, owned */
	guint counter;   /* E_OLIST: next number */
	GPtrArray *rows; /* E_TABLE: GPtrArray of GPtrArray of char* */
	gboolean cell;   /* E_CELL: a buffer was pushed */
} Frame;

typedef struct {
	const KjHtmlOptions *o;
	KjHtmlResult *res;
	GArray *frames;
	GPtrArray *bufs; /* KjhBuf*; [0] is the document */
	guint pre;
	guint lists;
	gsize budget; /* bytes of text rendered, tables included */
	guint nodes;
	const char *limit;
} Ctx;

static KjhBuf *cur(Ctx *c)
{
	return c->bufs->pdata[c->bufs->len - 1];
}

/* The value of an attribute without copying it, or NULL. */
static const char *attr(const xmlNode *n, const char *name)
{
	for (const xmlAttr *a = n->properties; a != NULL; a = a->next) {
		if (g_ascii_strcasecmp((const char *)a->name, name) != 0)
			continue;
		if (a->children != NULL && a->children->type == XML_TEXT_NODE &&
		    a->children->content != NULL)
			return (const char *)a->children->content;
		return "";
	}
	return NULL;
}

/* Inline style with whitespace removed and lower-cased, for matching. */
static gboolean style_has(const char *style, const char *const *needles, gsize n)
{
	char buf[512];
	gsize k = 0;

	if (style == NULL)
		return FALSE;
	for (const char *p = style; *p != '\0' && k + 1 < sizeof buf; p++)
		if (!g_ascii_isspace(*p))
			buf[k++] = g_ascii_tolower(*p);
	buf[k] = '\0';
	for (gsize i = 0; i < n; i++)
		if (strstr(buf, needles[i]) != NULL)
			return TRUE;
	return FALSE;
}

static gboolean hidden(const xmlNode *n)
{
	static const char *const css[] = {"display:none", "visibility:hidden"};

	return attr(n, "hidden") != NULL || style_has(attr(n, "style"), css, G_N_ELEMENTS(css));
}

static gboolean tiny(const char *v)
{
	if (v == NULL)
		return FALSE;
	while (g_ascii_isspace(*v))
		v++;
	return g_ascii_isdigit(*v) && g_ascii_strtoull(v, NULL, 10) <= 1;
}

/* 1x1 and 0-size images, and the open-tracking URLs of common senders. */
static gboolean tracker(const xmlNode *n)
{
	static const char *const css[] = {"width:1px", "height:1px", "width:0", "height:0"};
	static const char *const urls[] = {"/track/open", "/open.php", "/open.aspx", "/wf/open",
					   "/pixel.",     "/beacon",   "/tracking/", "/trk?"};
	const char *src = attr(n, "src");

	if (tiny(attr(n, "width")) || tiny(attr(n, "height")) ||
	    style_has(attr(n, "style"), css, G_N_ELEMENTS(css)))
		return TRUE;
	for (gsize i = 0; src != NULL && i < G_N_ELEMENTS(urls); i++)
		if (strstr(src, urls[i]) != NULL)
			return TRUE;
	return FALSE;
}

static Frame *find_frame(Ctx *c, Kind a, Kind b)
{
	for (guint i = c->frames->len; i-- > 0;) {
		Frame *f = &g_array_index(c->frames, Frame, i);
		if (f->kind == a || f->kind == b)
			return f;
	}
	return NULL;
}

static void add_text(Ctx *c, const char *t)
{
	gsize len = strlen(t);

	c->budget += len;
	if (c->budget > c->o->max_output) {
		c->limit = "max_output";
		return;
	}
	_kj_hbuf_text(cur(c), t, len, c->pre > 0);
}

static void image(Ctx *c, const xmlNode *n)
{
	if (tracker(n)) {
		if (c->res != NULL)
			c->res->tracking_images++;
		return;
	}
	const char *alt = attr(n, "alt");
	if (alt == NULL)
		return;
	g_autofree char *a = g_strstrip(g_strdup(alt));
	if (a[0] == '\0')
		return;
	g_autofree char *s = g_strconcat("[画像: ", a, "]", NULL);
	gboolean pre = c->pre > 0;
	c->pre = 0;
	add_text(c, s);
	c->pre = pre;
}

static void list_item(Ctx *c)
{
	Frame *l = find_frame(c, E_LIST, E_OLIST);
	KjhBuf *b = cur(c);

	_kj_hbuf_block(b, 1);
	if (l != NULL && l->kind == E_OLIST) {
		char num[32];
		g_snprintf(num, sizeof num, "%u. ", l->counter++);
		_kj_hbuf_add(b, num);
	} else {
		_kj_hbuf_add(b, "・");
	}
}

/* Starts an element; FALSE when its subtree is skipped (no frame). */
static gboolean enter(Ctx *c, xmlNode *n)
{
	Kind k = kind_of(n);
	KjhBuf *b = cur(c);
	Frame f = {k, b->prefix->len, NULL, 0, NULL, 1, NULL, FALSE};

	if (k == E_DROP || k == E_VOID) {
		if (k == E_DROP && c->res != NULL)
			c->res->dropped_elements++;
		return FALSE;
	}
	if (hidden(n)) {
		if (c->res != NULL)
			c->res->hidden_elements++;
		return FALSE;
	}
	switch (k) {
	case E_BR:
		_kj_hbuf_br(b);
		return FALSE;
	case E_HR:
		_kj_hbuf_block(b, 1);
		_kj_hbuf_add(b, "----------------------------------------");
		_kj_hbuf_block(b, 1);
		return FALSE;
	case E_IMG:
		image(c, n);
		return FALSE;
	case E_BLOCK1:
	case E_TR:
		_kj_hbuf_block(b, 1);
		break;
	case E_BLOCK2:
	case E_PRE:
	case E_TABLE:
		_kj_hbuf_block(b, 2);
		c->pre += k == E_PRE;
		if (k == E_TABLE)
			f.rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
		break;
	case E_HEADING:
		_kj_hbuf_block(b, 2);
		_kj_hbuf_add(b, n->name[1] <= '2' ? "■ " : "□ ");
		break;
	case E_QUOTE:
		_kj_hbuf_block(b, 2);
		g_string_append(b->prefix, "> ");
		break;
	case E_LIST:
	case E_OLIST:
		_kj_hbuf_block(b, c->lists == 0 ? 2 : 1);
		if (c->lists++ > 0)
			g_string_append(b->prefix, "  ");
		break;
	case E_LI:
		list_item(c);
		break;
	case E_CELL:
		if (find_frame(c, E_TABLE, E_TABLE) != NULL) {
			f.cell = TRUE;
			g_ptr_array_add(c->bufs, _kj_hbuf_new(64, 0));
		} else {
			_kj_hbuf_block(b, 1);
		}
		break;
	case E_A: {
		const char *href = attr(n, "href");
		if (href != NULL) {
			f.href = g_strstrip(g_strdup(href));
			f.link_buf = b;
			f.link_start = b->s->len;
		}
		break;
	}
	default:
		break;
	}
	if (k == E_TR) {
		Frame *t = find_frame(c, E_TABLE, E_TABLE);
		if (t != NULL)
			g_ptr_array_add(t->rows, g_ptr_array_new_with_free_func(g_free));
	}
	g_array_append_val(c->frames, f);
	return TRUE;
}

static gboolean shows_target(const char *href)
{
	static const char *const schemes[] = {"http:", "https:", "ftp:", "ftps:", "mailto:"};

	for (gsize i = 0; i < G_N_ELEMENTS(schemes); i++)
		if (g_ascii_strncasecmp(href, schemes[i], strlen(schemes[i])) == 0)
			return TRUE;
	return FALSE;
}

/* Link text that is the target itself needs no repetition. */
static gboolean same_target(const char *text, const char *href)
{
	static const char *const drop[] = {"https://", "http://", "mailto:"};
	const char *t = text, *h = href;

	for (gsize i = 0; i < G_N_ELEMENTS(drop); i++) {
		if (g_ascii_strncasecmp(t, drop[i], strlen(drop[i])) == 0)
			t += strlen(drop[i]);
		if (g_ascii_strncasecmp(h, drop[i], strlen(drop[i])) == 0)
			h += strlen(drop[i]);
	}
	gsize tl = strlen(t), hl = strlen(h);
	while (tl > 0 && t[tl - 1] == '/')
		tl--;
	while (hl > 0 && h[hl - 1] == '/')
		hl--;
	return tl == hl && g_ascii_strncasecmp(t, h, tl) == 0;
}

static void link_done(Ctx *c, Frame *f)
{
	KjhBuf *b = cur(c);
	KjLink *l = g_new0(KjLink, 1);

	l->url = f->href;
	f->href = NULL;
	l->text = g_strstrip(b == f->link_buf && b->s->len >= f->link_start
				 ? g_strndup(b->s->str + f->link_start, b->s->len - f->link_start)
				 : g_strdup(""));
	l->target_domain = kj_url_get_host(l->url);
	l->shown_domain = kj_url_shown_host(l->text);
	l->phishing = l->shown_domain != NULL && l->target_domain != NULL &&
		      kj_url_domains_differ(l->text, l->url);
	if (shows_target(l->url) && c->o->link_mode != KJ_LINK_STRIP &&
	    !same_target(l->text, l->url)) {
		g_autofree char *shown =
		    c->o->link_mode == KJ_LINK_DEFANG ? kj_url_defang(l->url) : g_strdup(l->url);
		g_autofree char *s = g_strconcat(l->text[0] != '\0' ? " <" : "<", shown, ">", NULL);
		add_text(c, s);
	}
	if (l->phishing) {
		/* Defanged: some clients link a bare domain, and this one is
		 * the phishing target. */
		g_autofree char *sd = kj_url_defang_host(l->shown_domain);
		g_autofree char *td = kj_url_defang_host(l->target_domain);
		g_autofree char *s =
		    g_strdup_printf(" [注意: 表示(%s)と実際のリンク先(%s)が異なります]", sd, td);
		add_text(c, s);
	}
	if (c->res != NULL)
		g_ptr_array_add(c->res->links, l);
	else
		kj_link_free(l);
}

static void cell_done(Ctx *c)
{
	KjhBuf *b = g_ptr_array_steal_index(c->bufs, c->bufs->len - 1);
	char *text = g_strstrip(_kj_hbuf_free(b, TRUE));
	Frame *t = find_frame(c, E_TABLE, E_TABLE);

	/* Cells are only opened inside a table frame; should that ever not
	 * hold for some broken HTML, drop the cell rather than crash. */
	if (t == NULL) {
		g_free(text);
		return;
	}
	if (t->rows->len == 0)
		g_ptr_array_add(t->rows, g_ptr_array_new_with_free_func(g_free));
	g_ptr_array_add(t->rows->pdata[t->rows->len - 1], text);
}

/* Ends the element whose frame is on top. */
static void leave(Ctx *c)
{
	Frame *f = &g_array_index(c->frames, Frame, c->frames->len - 1);
	KjhBuf *b = cur(c);

	switch (f->kind) {
	case E_BLOCK1:
	case E_TR:
		_kj_hbuf_block(b, 1);
		break;
	case E_BLOCK2:
	case E_HEADING:
	case E_PRE:
		c->pre -= f->kind == E_PRE;
		_kj_hbuf_block(b, 2);
		break;
	case E_QUOTE:
		g_string_truncate(b->prefix, f->prefix_len);
		_kj_hbuf_block(b, 2);
		break;
	case E_LIST:
	case E_OLIST:
		c->lists--;
		g_string_truncate(b->prefix, f->prefix_len);
		_kj_hbuf_block(b, c->lists == 0 ? 2 : 1);
		break;
	case E_LI:
		_kj_hbuf_block(b, 1);
		break;
	case E_CELL:
		if (f->cell)
			cell_done(c);
		break;
	case E_TABLE:
		_kj_table_render(b, f->rows, &c->budget, c->o->max_output);
		if (c->budget > c->o->max_output)
			c->limit = "max_output";
		g_ptr_array_unref(f->rows);
		_kj_hbuf_block(b, 2);
		break;
	case E_A:
		if (f->href != NULL)
			link_done(c, f);
		break;
	default:
		break;
	}
	g_array_set_size(c->frames, c->frames->len - 1);
}

/* Visits one node; TRUE when its children are to be visited. */
static gboolean visit(Ctx *c, xmlNode *n)
{
	if (c->res != NULL)
		c->res->nodes++;
	if (++c->budget > c->o->max_output) /* also counts empty nodes */
		c->limit = "max_output";
	if (++c->nodes > c->o->max_nodes)
		c->limit = "max_nodes";
	if (c->limit != NULL)
		return FALSE;
	if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
		if (n->content != NULL)
			add_text(c, (const char *)n->content);
		return FALSE;
	}
	if (n->type != XML_ELEMENT_NODE)
		return FALSE;
	if (c->frames->len >= c->o->max_depth) {
		c->limit = "max_depth";
		return FALSE;
	}
	if (!enter(c, n))
		return FALSE;
	if (c->res != NULL)
		c->res->max_depth_seen = MAX(c->res->max_depth_seen, c->frames->len);
	return TRUE;
}

/* Walks the tree without recursion: down through children, then along
 * siblings, then up through parents, leaving each element on the way up. */
static void walk(Ctx *c, xmlDoc *doc)
{
	xmlNode *n = doc->children;

	while (n != NULL && c->limit == NULL) {
		if (visit(c, n)) {
			if (n->children != NULL) {
				n = n->children;
				continue;
			}
			leave(c);
		}
		while (n != NULL && n->next == NULL) {
			n = n->parent;
			if (n == NULL || n == (xmlNode *)doc)
				return;
			leave(c);
		}
		if (n != NULL)
			n = n->next;
	}
}

static void ctx_clear(Ctx *c)
{
	for (guint i = 0; i < c->frames->len; i++) {
		Frame *f = &g_array_index(c->frames, Frame, i);
		g_free(f->href);
		if (f->rows != NULL)
			g_ptr_array_unref(f->rows);
	}
	g_array_free(c->frames, TRUE);
	while (c->bufs->len > 1)
		_kj_hbuf_free(g_ptr_array_steal_index(c->bufs, c->bufs->len - 1), FALSE);
}

void kj_html_options_init(KjHtmlOptions *opts)
{
	g_return_if_fail(opts != NULL);
	opts->link_mode = KJ_LINK_DEFANG;
	opts->max_depth = KJ_HTML_MAX_DEPTH_DEFAULT;
	opts->max_nodes = KJ_HTML_MAX_NODES_DEFAULT;
	opts->max_output = KJ_HTML_MAX_OUTPUT_DEFAULT;
	opts->wrap_column = 0;
}

void kj_link_free(KjLink *link)
{
	if (link == NULL)
		return;
	g_free(link->url);
	g_free(link->text);
	g_free(link->shown_domain);
	g_free(link->target_domain);
	g_free(link);
}

void kj_html_result_clear(KjHtmlResult *res)
{
	g_return_if_fail(res != NULL);
	if (res->links != NULL)
		g_ptr_array_unref(res->links);
	memset(res, 0, sizeof *res);
}

/* The charset a <meta> near the start declares, as the HTML standard's
 * prescan finds it: "charset" '=' value, quoted or not. */
static gboolean meta_charset(const char *html, gsize len, char out[64])
{
	gsize n = MIN(len, (gsize)KJ_HTML_META_SCAN_BYTES);

	for (gsize i = 0; i + 7 < n; i++) {
		if (g_ascii_strncasecmp(html + i, "charset", 7) != 0)
			continue;
		gsize j = i + 7;
		while (j < n && g_ascii_isspace(html[j]))
			j++;
		if (j >= n || html[j] != '=')
			continue;
		j++;
		while (j < n && (g_ascii_isspace(html[j]) || html[j] == '"' || html[j] == '\''))
			j++;
		gsize k = 0;
		while (j < n && k < 63 &&
		       (g_ascii_isalnum(html[j]) || strchr("-_.:", html[j]) != NULL))
			out[k++] = html[j++];
		out[k] = '\0';
		if (k > 0)
			return TRUE;
	}
	return FALSE;
}

/* Counts "<" followed by a letter: an upper bound of the elements libxml2
 * will build, known before it spends memory on them. */
static gsize count_tags(const char *s, gsize len)
{
	gsize n = 0;
	const char *p = s, *end = s + len;

	while ((p = memchr(p, '<', (gsize)(end - p))) != NULL && ++p < end)
		n += g_ascii_isalpha(*p);
	return n;
}

static void on_parse_error(void *data, xmlErrorPtr e)
{
	(void)data;
	/* libxml2 stops at 256 levels with this internal error; the rest of
	 * the document would silently vanish. */
	if (e != NULL && e->ctxt != NULL && e->code == XML_ERR_INTERNAL_ERROR &&
	    e->message != NULL && strstr(e->message, "depth") != NULL) {
		xmlParserCtxtPtr p = e->ctxt;
		*(gboolean *)p->_private = TRUE;
	}
}

static xmlDoc *parse(const char *utf8, gsize len, gboolean *too_deep)
{
	htmlParserCtxtPtr p = htmlNewParserCtxt();
	xmlDoc *doc;

	if (p == NULL)
		return NULL;
	p->_private = too_deep;
	p->sax->serror = on_parse_error;
	doc = htmlCtxtReadMemory(p, utf8, (int)len, NULL, "UTF-8",
				 HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
				     HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC |
				     HTML_PARSE_COMPACT);
	htmlFreeParserCtxt(p);
	return doc;
}

static char *finish_text(char *raw, const KjHtmlOptions *o)
{
	gsize l = strlen(raw);

	while (l > 0 && g_ascii_isspace(raw[l - 1]))
		raw[--l] = '\0';
	g_autofree char *t = l > 0 ? g_strconcat(raw, "\n", NULL) : g_strdup("");
	g_free(raw);
	/* Text URLs ("https://..." typed as link text or prose) are treated
	 * like link targets; defanged targets do not match again. */
	g_autofree char *u = o->link_mode == KJ_LINK_KEEP
				 ? g_strdup(t)
				 : kj_url_neutralize_text(t, o->link_mode, NULL, NULL);
	return kj_text_neutralize(u, KJ_NEUTRALIZE_BODY, NULL);
}

static gboolean limit_error(GError **error, const char *limit, gsize value)
{
	g_set_error(error, KJ_TEXT_ERROR, KJ_TEXT_ERROR_LIMIT,
		    "HTML exceeds %s (%" G_GSIZE_FORMAT "); held for review (基本方針 6(6))", limit,
		    value);
	return FALSE;
}

static gsize limit_value(const KjHtmlOptions *o, const char *limit)
{
	if (strcmp(limit, "max_depth") == 0)
		return o->max_depth;
	if (strcmp(limit, "max_nodes") == 0)
		return o->max_nodes;
	return o->max_output;
}

char *kj_html_to_text(const char *html, gsize len, const char *charset, const KjHtmlOptions *opts,
		      KjHtmlResult *res, GError **error)
{
	KjHtmlOptions defaults;
	char meta[64];
	gboolean too_deep = FALSE;

	g_return_val_if_fail(html != NULL || len == 0, NULL);
	if (opts == NULL) {
		kj_html_options_init(&defaults);
		opts = &defaults;
	}
	if (res != NULL && res->links == NULL)
		res->links = g_ptr_array_new_with_free_func((GDestroyNotify)kj_link_free);
	if (charset == NULL && meta_charset(html, len, meta))
		charset = meta;
	g_autofree char *utf8 = kj_charset_to_utf8(html, len, charset, NULL);
	gsize ulen = strlen(utf8);
	if (count_tags(utf8, ulen) > opts->max_nodes || ulen > G_MAXINT) {
		limit_error(error, "max_nodes", opts->max_nodes);
		return NULL;
	}
	xmlDoc *doc = parse(utf8, ulen, &too_deep);
	if (too_deep) {
		xmlFreeDoc(doc);
		limit_error(error, "max_depth", MIN(opts->max_depth, 256u));
		return NULL;
	}
	if (doc == NULL) {
		if (count_tags(utf8, ulen) == 0 && ulen > 0)
			doc = parse("<p></p>", 7, &too_deep); /* fall through to a text-only doc */
		if (doc == NULL) {
			g_set_error(error, KJ_TEXT_ERROR, KJ_TEXT_ERROR_INVALID,
				    "HTML part could not be parsed");
			return NULL;
		}
	}
	Ctx c = {opts, res, g_array_new(FALSE, TRUE, sizeof(Frame)), g_ptr_array_new(), 0, 0, 0,
		 0,    NULL};
	g_ptr_array_add(c.bufs, _kj_hbuf_new(ulen / 2 + 64, opts->wrap_column));
	walk(&c, doc);
	xmlFreeDoc(doc);
	ctx_clear(&c);
	char *raw = _kj_hbuf_free(g_ptr_array_steal_index(c.bufs, 0), TRUE);
	g_ptr_array_free(c.bufs, TRUE);
	if (c.limit != NULL) {
		g_free(raw);
		limit_error(error, c.limit, limit_value(opts, c.limit));
		return NULL;
	}
	char *text = finish_text(raw, opts);
	if (strlen(text) > opts->max_output) {
		g_free(text);
		limit_error(error, "max_output", opts->max_output);
		return NULL;
	}
	return text;
}
