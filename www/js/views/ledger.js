// ledger.js - the governance ledger: every register browsed, searched,
// added to and edited through one generic screen driven by the
// register's column descriptions (the table the CLI uses too); an asset
// shows its classification with what it inherits from the information
// it holds; the ledger's consistency findings on the first page.

import {h, field, replace, table, definitionList} from '../dom.js';
import {t, when} from '../i18n.js';
import {api} from '../api.js';
import {page, form, pager, empty, select, notice} from './common.js';

let registersCache = null;

export async function registers() {
	if (!registersCache)
		registersCache = (await api.registers()).registers || [];
	return registersCache;
}

async function describe(noun) {
	return (await registers()).find((r) => r.noun === noun) || null;
}

const recordHref = (noun, key) => `#/ledger/${encodeURIComponent(noun)}/${encodeURIComponent(key)}`;

export async function ledgerHomeView(ctx) {
	const [all, findings] = await Promise.all([registers(),
		api.findings().catch(() => ({items: []}))]);
	const f = findings.items || [];
	return page(t('ledger.title'), t('ledger.intro'),
		h('ul', {class: 'tiles'}, all.map((r) => h('li', null,
			h('a', {href: `#/ledger/${encodeURIComponent(r.noun)}`, class: 'tile'},
				h('span', {class: 'tile-title'}, r.noun),
				h('span', {class: 'tile-text'}, r.summary || ''))))),
		h('h2', null, t('ledger.findings', {n: f.length})),
		f.length ? table(null, [
			{label: t('ledger.rule'), cell: (x) => h('code', null, x.rule)},
			{label: t('due.clause'), cell: (x) => x.clause || '—', class: 'nowrap'},
			{label: t('due.record'), cell: (x) => (x.noun && x.key
				? h('a', {href: recordHref(x.noun, x.key)}, `${x.noun} ${x.key}`) : '—')},
			{label: t('ledger.message'), cell: (x) => x.message, class: 'reason'},
		], f) : empty(t('ledger.no_findings')));
}

function show(v, col) {
	if (v === null || v === undefined || v === '')
		return '—';
	if (col && col.type === 'boolean')
		return v === '1' || v === 'true' ? t('common.yes') : v === '0' || v === 'false' ? t('common.no') : v;
	if (col && col.type === 'reference' && col.ref)
		return h('a', {href: recordHref(col.ref, v)}, v);
	return String(v);
}

// A control for a column of the register's description.
function control(col, value) {
	const name = col.name;
	const v = value === null || value === undefined ? '' : String(value);
	if (col.choices)
		return select(name, [['', '—'], ...col.choices.map((x) => [x, x])], v);
	if (col.type === 'boolean')
		return select(name, [['', '—'], ['1', t('common.yes')], ['0', t('common.no')]], v);
	if (col.type === 'date')
		return h('input', {type: 'date', name, value: v});
	if (col.type === 'integer')
		return h('input', {type: 'number', name, value: v, step: 1, min: col.min, max: col.max});
	if (col.type === 'text' && /note|description|entry|evidence|question|handling|action/.test(name))
		return h('textarea', {name, rows: 2, text: v});
	return h('input', {name, value: v, autocomplete: 'off'});
}

const columnLabel = (col) => (col.label ? `${col.label}（${col.name}）` : col.name);
const editable = (desc) => (desc.columns || []).filter((c) => !c.derived);

// The values of a form: every column (add), or the changed ones (edit).
function valuesOf(formEl, desc, old) {
	const fd = new FormData(formEl);
	const values = {};
	for (const col of editable(desc)) {
		if (!fd.has(col.name))
			continue;
		const v = String(fd.get(col.name));
		if (old) {
			const was = old[col.name] === null || old[col.name] === undefined ? '' : String(old[col.name]);
			if (v !== was)
				values[col.name] = v === '' ? null : v;
		} else if (v !== '') {
			values[col.name] = v;
		}
	}
	return values;
}

export async function registerView(ctx, noun) {
	const desc = await describe(noun);
	if (!desc)
		return page(noun, null, empty(t('ledger.no_register')));
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const q = params.get('q') || '';
	// Asset pages carry each asset's inherited classification on request.
	const query = {q, limit: 50, effective: noun === 'asset' ? 1 : null};
	const first = await api.records(noun, query);
	const shown = editable(desc).slice(0, 6);
	const columns = [
		{label: t('ledger.key'), cell: (r) => h('a', {href: recordHref(noun, r.key)}, r.key)},
		...shown.map((c) => ({label: c.label || c.name, cell: (r) => show(r.values[c.name], c)})),
	];
	if (noun === 'asset')
		columns.push({label: t('ledger.effective_short'), cell: (r) => effectiveSummary(r.effective)});
	const qIn = h('input', {type: 'search', name: 'q', value: q, maxlength: 200});
	const search = h('form', {class: 'filters', role: 'search'},
		field(t('ledger.search'), qIn),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('common.search'))));
	search.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const v = qIn.value.trim();
		location.hash = `#/ledger/${encodeURIComponent(noun)}${v ? `?q=${encodeURIComponent(v)}` : ''}`;
	});
	const tbl = table(desc.summary || noun, columns, first.items);
	const rowOf = (r) => table(null, columns, [r]).tBodies[0].rows[0];

	let addForm = null;
	if (ctx.can('ledger.write')) {
		const keyIn = h('input', {name: '__key', required: true, autocomplete: 'off', maxlength: 200});
		addForm = form({class: 'card', 'data-testid': 'ledger-add'}, [
			h('h2', null, t('ledger.add_title')),
			h('div', {class: 'grid'},
				field(t('ledger.key'), keyIn),
				editable(desc).map((c) => {
					const el = control(c, '');
					if (c.required)
						el.required = true;
					return field(columnLabel(c), el);
				})),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ledger.add'))),
		], async (f) => {
			const key = keyIn.value.trim();
			await api.recordAdd(noun, key, valuesOf(f, desc, null));
			ctx.toast(t('ledger.added'));
			ctx.navigate(`ledger/${encodeURIComponent(noun)}/${encodeURIComponent(key)}`);
		});
	}
	return page(`${desc.summary || noun}`, null,
		h('p', null, h('a', {href: '#/ledger'}, t('ledger.back'))),
		search,
		first.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.records(noun, {...query, cursor}))] : empty(t('ledger.empty')),
		addForm);
}

// "mic-c 3 · lg-c 3A" with the inherited ones marked.
function effectiveSummary(eff) {
	if (!eff || typeof eff !== 'object')
		return '—';
	const parts = Object.entries(eff).filter(([, v]) => v && v.effective);
	if (!parts.length)
		return '—';
	return h('span', {class: 'levels'}, parts.map(([scheme, v]) =>
		h('span', {class: ['level', v.from ? 'inherited' : null],
			title: v.from ? t('ledger.inherited_title', {from: v.from}) : null},
		`${scheme} ${v.effective}${v.from ? ' ↑' : ''}`)));
}

function classification(eff) {
	const rows = Object.entries(eff || {}).map(([scheme, v]) => ({scheme, ...v}));
	if (!rows.length)
		return null;
	return h('section', {class: 'classification'},
		h('h2', null, t('ledger.classification')),
		h('p', {class: 'help'}, t('ledger.classification_help')),
		table(null, [
			{label: t('ledger.scheme'), cell: (l) => l.scheme},
			{label: t('ledger.own'), cell: (l) => l.own ?? '—'},
			{label: t('ledger.effective'), cell: (l) => h('strong', null, l.effective ?? '—')},
			{label: t('ledger.inherited_from'), cell: (l) => (l.from
				? h('a', {href: recordHref('asset', l.from)}, l.from) : '—')},
		], rows, {rowClass: (l) => (l.from ? 'inherited' : null)}));
}

export async function recordView(ctx, noun, key) {
	const [desc, rec] = await Promise.all([describe(noun), api.record(noun, key)]);
	const cols = (desc && desc.columns) || [];
	const props = definitionList([
		[t('ledger.key'), rec.key],
		[t('ledger.version'), String(rec.version)],
		[t('ledger.updated'), when(rec.updated_at)],
		...cols.map((c) => [columnLabel(c), show(rec.values[c.name], c)]),
	]);
	let edit = null;
	if (ctx.can('ledger.write') && desc) {
		edit = form({class: 'card', 'data-testid': 'ledger-edit'}, [
			h('h2', null, t('ledger.edit_title')),
			h('p', {class: 'help'}, t('ledger.edit_help', {version: rec.version})),
			h('div', {class: 'grid'}, editable(desc).map((c) =>
				field(columnLabel(c), control(c, rec.values[c.name])))),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ledger.save'))),
		], async (f) => {
			const values = valuesOf(f, desc, rec.values);
			if (!Object.keys(values).length) {
				ctx.toast(t('ledger.nothing_changed'));
				return;
			}
			await api.recordSet(noun, rec.key, values, rec.version);
			ctx.toast(t('ledger.saved'));
			ctx.refresh();
		});
	}
	const title = rec.values.name || rec.values.title || rec.values.question || '';
	return page(`${desc ? desc.summary : noun}: ${rec.key}`, title || null,
		h('p', null, h('a', {href: `#/ledger/${encodeURIComponent(noun)}`}, t('ledger.back_register'))),
		noun === 'asset' ? classification(rec.effective) : null,
		props,
		noun === 'incident' ? h('p', null, h('a', {href: `#/incidents/${encodeURIComponent(rec.key)}`},
			t('incidents.timeline'))) : null,
		edit);
}

export {notice, replace};
