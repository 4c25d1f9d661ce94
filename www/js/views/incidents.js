// incidents.js - incidents with their timeline and the PPC report
// deadlines (基本方針 6(7)), and what is due or overdue across the
// ledger (one recurrence engine on the server: ledger due).

import {h, field, table, definitionList} from '../dom.js';
import {t} from '../i18n.js';
import {api} from '../api.js';
import {page, form, empty, badge} from './common.js';

const STEPS = ['報告', '初動対応', '調査', '復旧', '再発防止', '完了'];

function stepper(status) {
	const at = STEPS.indexOf(status);
	return h('ol', {class: 'stepper', 'aria-label': t('incidents.status')}, STEPS.map((s, i) =>
		h('li', {class: [i < at ? 'done' : null, i === at ? 'current' : null],
			'aria-current': i === at ? 'step' : null}, s)));
}

const today = () => new Date().toISOString().slice(0, 10);

export async function incidentsView(ctx, key) {
	if (key)
		return incidentView(ctx, key);
	const r = await api.records('incident', {limit: 100});
	const items = r.items.map((i) => ({key: i.key, ...i.values}));
	return page(t('incidents.title'), t('incidents.intro'),
		items.length ? table(null, [
			{label: t('ledger.key'), cell: (i) => h('a', {href: `#/incidents/${encodeURIComponent(i.key)}`}, i.key)},
			{label: t('incidents.what'), cell: (i) => i.title || '—'},
			{label: t('incidents.severity'), cell: (i) => i.severity || '—'},
			{label: t('incidents.status'), cell: (i) => badge('istatus', i.status)},
			{label: t('incidents.discovered'), cell: (i) => i.discovered || '—', class: 'nowrap'},
			{label: t('incidents.ppc'), cell: (i) => ppcCell(i)},
		], items) : empty(t('incidents.none')));
}

function ppcCell(i) {
	if (!i.ppc_preliminary_due)
		return '—';
	const late = i.status !== '完了' && i.ppc_preliminary_due < today() &&
		!(i.reported_to || '').includes('個人情報保護委員会');
	return h('span', {class: late ? 'overdue' : null},
		t('incidents.ppc_dates', {p: i.ppc_preliminary_due, f: i.ppc_final_due || '—'}),
		late ? [' ', badge('due', 'overdue')] : null);
}

async function incidentView(ctx, key) {
	const res = await api.record('incident', key);
	const inc = {key: res.key, version: res.version, ...res.values};
	const entries = (res.timeline || []).map((e) => ({key: e.key, ...e.values}))
		.sort((a, b) => String(a.at).localeCompare(String(b.at)) || a.key.localeCompare(b.key));
	let add = null;
	let advance = null;
	if (ctx.can('ledger.write')) {
		const at = h('input', {type: 'date', name: 'at', value: today(), required: true});
		const entry = h('textarea', {name: 'entry', rows: 2, required: true, maxlength: 1000});
		add = form({class: 'card'}, [
			h('h2', null, t('incidents.add_entry')),
			field(t('incidents.at'), at),
			field(t('incidents.entry'), entry),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ledger.add'))),
		], async () => {
			const n = entries.length + 1;
			await api.recordAdd('timeline', `${key}-${n}`, {incident: key, at: at.value,
				entry: entry.value.trim()});
			ctx.refresh();
		});
		const next = STEPS[STEPS.indexOf(inc.status) + 1];
		if (next)
			advance = form({class: 'inline-form'}, [
				h('button', {type: 'submit'}, t('incidents.advance', {next})),
			], async () => {
				await api.recordSet('incident', key, {status: next}, inc.version);
				ctx.refresh();
			});
	}
	return page(`${key} ${inc.title || ''}`, null,
		h('p', null, h('a', {href: '#/incidents'}, t('incidents.back'))),
		stepper(inc.status), advance,
		definitionList([
			[t('incidents.severity'), inc.severity],
			[t('incidents.discovered'), inc.discovered],
			[t('incidents.reporter'), inc.reporter],
			[t('incidents.assets'), inc.assets],
			[t('incidents.reported_to'), inc.reported_to],
			[t('incidents.ppc'), ppcCell(inc)],
		]),
		h('h2', null, t('incidents.timeline')),
		entries.length ? h('ol', {class: 'timeline'}, entries.map((e) =>
			h('li', null, h('time', {datetime: e.at}, e.at), h('p', null, e.entry || '')))) :
			empty(t('incidents.no_entries')),
		add);
}

export async function dueView(ctx) {
	const r = await api.due();
	const items = r.items || [];
	const overdue = r.overdue ?? items.filter((d) => d.overdue).length;
	return page(t('due.title'), t('due.intro'),
		h('p', {class: 'summary'}, t('due.summary', {n: items.length, o: overdue})),
		items.length ? table(null, [
			{label: t('due.date'), cell: (d) => d.due, class: 'nowrap'},
			{label: t('due.state'), cell: (d) => badge('due', d.overdue ? 'overdue' : 'soon')},
			{label: t('due.what'), cell: (d) => d.what || '—'},
			{label: t('due.record'), cell: (d) => (d.key ? h('a', {href:
				`#/ledger/${encodeURIComponent(d.noun)}/${encodeURIComponent(d.key)}`}, `${d.noun} ${d.key}`)
				: d.noun)},
			{label: t('due.clause'), cell: (d) => d.clause || '—'},
		], items, {rowClass: (d) => (d.overdue ? 'overdue' : null)}) : empty(t('due.none')));
}

