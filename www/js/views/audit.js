// audit.js - the audit trail: filter and read the records, the hash
// chain's verification status and head (the value an auditor writes
// down to prove later that nothing before it was changed), and the
// export of the whole log for an auditor.

import {h, field, table, replace} from '../dom.js';
import {t, when} from '../i18n.js';
import {api, saveBlob} from '../api.js';
import {page, pager, empty, notice, errorText} from './common.js';

const FILTERS = ['actor', 'action', 'object', 'since', 'until'];

// Dates typed as YYYY-MM-DD become RFC 3339 (the browser's midnight in
// UTC would be a day off in Japan: the whole local day is meant).
function rfc3339(date, endOfDay) {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
		return date;
	const d = new Date(`${date}T00:00:00`);
	if (endOfDay)
		d.setDate(d.getDate() + 1);
	return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export async function auditView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const values = {};
	for (const k of FILTERS)
		values[k] = params.get(k) || '';
	const query = {limit: 100, actor: values.actor, action: values.action, object: values.object,
		since: values.since ? rfc3339(values.since, false) : '',
		until: values.until ? rfc3339(values.until, true) : ''};
	const [list, verify] = await Promise.all([api.auditList(query),
		api.auditVerify().catch((e) => ({failed: e}))]);

	const inputs = {
		actor: h('input', {name: 'actor', value: values.actor, autocomplete: 'off'}),
		action: h('input', {name: 'action', value: values.action, autocomplete: 'off',
			placeholder: 'release.'}),
		object: h('input', {name: 'object', value: values.object, autocomplete: 'off'}),
		since: h('input', {name: 'since', type: 'date', value: values.since}),
		until: h('input', {name: 'until', type: 'date', value: values.until}),
	};
	const filters = h('form', {class: 'filters', role: 'search'},
		FILTERS.map((k) => field(t(`audit.${k}`), inputs[k])),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('common.search'))));
	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const qs = new URLSearchParams();
		for (const k of FILTERS)
			if (inputs[k].value.trim())
				qs.set(k, inputs[k].value.trim());
		const s = qs.toString();
		location.hash = `#/audit${s ? `?${s}` : ''}`;
	});

	let chain;
	if (verify.failed) {
		chain = notice('error', errorText(verify.failed));
	} else {
		chain = h('section', {class: ['chain', verify.ok ? 'chain-ok' : 'chain-bad'], 'data-testid': 'chain'},
			h('h2', null, t('audit.chain')),
			h('p', {class: 'chain-status'}, verify.ok ? t('audit.chain_ok', {n: verify.records})
				: t('audit.chain_bad', {seq: verify.bad_seq ?? '?', why: verify.reason || ''})),
			verify.head ? h('p', null, t('audit.head'), ' ',
				h('code', {class: 'hash', 'data-testid': 'head'}, `${verify.head.seq}:${verify.head.hash}`)) : null);
	}
	const status = h('span', {class: 'error-text', role: 'alert'});
	const exportBtn = h('button', {type: 'button', class: 'secondary', onclick: async () => {
		replace(status);
		try {
			saveBlob(await api.auditExport(), 'kyojin-audit.jsonl');
			ctx.toast(t('audit.exported'));
		} catch (e) {
			replace(status, errorText(e));
		}
	}}, t('audit.export'));

	const columns = [
		{label: t('audit.seq'), cell: (r) => String(r.seq), class: 'num'},
		{label: t('audit.at'), cell: (r) => when(r.time), class: 'nowrap'},
		{label: t('audit.actor'), cell: (r) => r.actor || '—'},
		{label: t('audit.action'), cell: (r) => h('code', null, r.action || '—'), class: 'nowrap'},
		{label: t('audit.object'), cell: (r) => r.object || '—'},
		{label: t('audit.details'), cell: (r) => (r.details ? h('code', {class: 'details'},
			JSON.stringify(r.details)) : '—')},
	];
	const tbl = table(t('audit.caption'), columns, list.items,
		{rowClass: (r) => (/original|blocked|lockout|login_failed/.test(r.action) ? 'flagged' : null)});
	const rowOf = (r) => table(null, columns, [r]).tBodies[0].rows[0];
	return page(t('audit.title'), t('audit.intro'), chain,
		h('div', {class: 'btn-row'}, exportBtn, h('span', {class: 'help'}, t('audit.export_help')), status),
		filters,
		list.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, list,
			(cursor) => api.auditList({...query, cursor}))] : empty(t('audit.none')));
}
