// ledger.js - the governance ledger: every register browsed, searched,
// added to and edited through one generic screen driven by the
// register's column descriptions (the same table the CLI uses); the
// asset ledger shows each asset's classification with what it
// inherits from the information it holds.

import {h, field, replace, table, definitionList} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, form, pager, empty, select, badge} from './common.js';

let registersCache = null;

async function registers() {
	if (!registersCache) {
		const r = await api.registers();
		registersCache = r.registers || r.items || [];
	}
	return registersCache;
}

const nounOf = (r) => r.register || r.noun || r.name;

async function describe(noun) {
	const all = await registers();
	return all.find((r) => nounOf(r) === noun) || null;
}

export async function ledgerHomeView(ctx) {
	const all = await registers();
	return page(t('ledger.title'), t('ledger.intro'),
		h('ul', {class: 'tiles'}, all.map((r) => h('li', null,
			h('a', {href: `#/ledger/${encodeURIComponent(nounOf(r))}`, class: 'tile'},
				h('span', {class: 'tile-title'}, nounOf(r)),
				h('span', {class: 'tile-text'}, r.summary || ''),
				typeof r.count === 'number'
					? h('span', {class: 'tile-count'}, t('ledger.count', {n: r.count})) : null)))));
}

// The columns shown in a register's list: key plus the first few.
function listColumns(desc) {
	const cols = (desc.columns || []).filter((c) => !c.derived).slice(0, 6);
	return cols;
}

function show(v, col) {
	if (v === null || v === undefined || v === '')
		return '—';
	if (col && col.type === 'boolean')
		return v === '1' || v === 1 || v === true ? t('common.yes') : t('common.no');
	return String(v);
}

// A control for a column of the register's description.
function control(col, value) {
	const name = col.name;
	const v = value === null || value === undefined ? '' : String(value);
	if (col.type === 'choice' && col.ref) {
		const opts = col.ref.split('|').map((x) => [x, x]);
		return select(name, [['', '—'], ...opts], v);
	}
	if (col.type === 'boolean')
		return select(name, [['', '—'], ['1', t('common.yes')], ['0', t('common.no')]],
			v === 'true' ? '1' : v === 'false' ? '0' : v);
	if (col.type === 'date')
		return h('input', {type: 'date', name, value: v});
	if (col.type === 'integer')
		return h('input', {type: 'number', name, value: v, step: 1});
	if (col.type === 'text' && /note|description|entry|evidence|question|handling/.test(name))
		return h('textarea', {name, rows: 2, text: v});
	return h('input', {name, value: v, autocomplete: 'off'});
}

function columnLabel(col) {
	return col.label ? `${col.label} (${col.name})` : col.name;
}

function valuesOf(formEl, desc, only) {
	const fd = new FormData(formEl);
	const values = {};
	for (const col of desc.columns || []) {
		if (col.derived || !fd.has(col.name))
			continue;
		const v = String(fd.get(col.name));
		if (only && only[col.name] === (v === '' ? null : v))
			continue; /* unchanged */
		if (only && (only[col.name] === null || only[col.name] === undefined) && v === '')
			continue;
		values[col.name] = v;
	}
	return values;
}

export async function registerView(ctx, noun) {
	const desc = await describe(noun);
	if (!desc)
		return page(noun, null, empty(t('ledger.no_register')));
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const q = params.get('q') || '';
	const query = {q, limit: 50};
	const first = await api.records(noun, query);
	const cols = listColumns(desc);
	const columns = [
		{label: t('ledger.key'), cell: (r) => h('a', {href:
			`#/ledger/${encodeURIComponent(noun)}/${encodeURIComponent(r.key)}`}, r.key)},
		...cols.map((c) => ({label: c.label || c.name, cell: (r) => show(r[c.name], c)})),
	];
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
		const keyIn = h('input', {name: '__key', required: true, autocomplete: 'off', maxlength: 128});
		addForm = form({class: 'card', 'data-testid': 'ledger-add'}, [
			h('h2', null, t('ledger.add_title')),
			h('div', {class: 'grid'},
				field(t('ledger.key'), keyIn),
				(desc.columns || []).filter((c) => !c.derived).map((c) => {
					const el = control(c, '');
					if (c.required)
						el.required = true;
					return field(columnLabel(c), el);
				})),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ledger.add'))),
		], async (f) => {
			const values = valuesOf(f, desc);
			for (const k of Object.keys(values))
				if (values[k] === '')
					delete values[k];
			await api.recordAdd(noun, {key: keyIn.value.trim(), ...values});
			ctx.toast(t('ledger.added'));
			ctx.navigate(`ledger/${encodeURIComponent(noun)}/${encodeURIComponent(keyIn.value.trim())}`);
		});
	}
	return page(`${noun} — ${desc.summary || ''}`, null,
		h('p', null, h('a', {href: '#/ledger'}, t('ledger.back'))),
		search,
		first.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.records(noun, {...query, cursor}))] : empty(t('ledger.empty')),
		addForm);
}

export async function recordView(ctx, noun, key) {
	const desc = await describe(noun);
	const res = await api.record(noun, key);
	const rec = res.record || res;
	const cols = (desc && desc.columns) || [];
	const props = definitionList([
		[t('ledger.key'), rec.key],
		[t('ledger.version'), String(rec.version)],
		[t('ledger.updated'), when(rec.updated_at)],
		...cols.map((c) => [c.label || c.name, show(rec[c.name], c)]),
	]);
	const levels = res.effective_levels || [];
	const levelTable = levels.length ? h('section', {class: 'classification'},
		h('h2', null, t('ledger.classification')),
		table(null, [
			{label: t('ledger.scheme'), cell: (l) => l.scheme},
			{label: t('ledger.own'), cell: (l) => l.own ?? '—'},
			{label: t('ledger.effective'), cell: (l) => h('strong', null, l.effective ?? '—')},
			{label: t('ledger.inherited_from'), cell: (l) => (l.inherited_from
				? h('a', {href: `#/ledger/asset/${encodeURIComponent(l.inherited_from)}`}, l.inherited_from)
				: '—')},
		], levels, {rowClass: (l) => (l.inherited_from ? 'inherited' : null)})) : null;

	let edit = null;
	if (ctx.can('ledger.write') && desc) {
		edit = form({class: 'card', 'data-testid': 'ledger-edit'}, [
			h('h2', null, t('ledger.edit_title')),
			h('p', {class: 'help'}, t('ledger.edit_help', {version: rec.version})),
			h('div', {class: 'grid'}, cols.filter((c) => !c.derived).map((c) =>
				field(columnLabel(c), control(c, rec[c.name])))),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ledger.save'))),
		], async (f) => {
			const values = valuesOf(f, desc, rec);
			if (!Object.keys(values).length) {
				ctx.toast(t('ledger.nothing_changed'));
				return;
			}
			await api.recordSet(noun, rec.key, values, rec.version);
			ctx.toast(t('ledger.saved'));
			ctx.refresh();
		});
	}
	return page(`${noun} ${rec.key}`, rec.name || rec.title || null,
		h('p', null, h('a', {href: `#/ledger/${encodeURIComponent(noun)}`}, t('ledger.back_register'))),
		props, levelTable,
		noun === 'incident' ? h('p', null, h('a', {href: `#/incidents/${encodeURIComponent(rec.key)}`},
			t('incidents.timeline'))) : null,
		edit);
}

export {badge};
