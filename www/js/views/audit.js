// audit.js - the audit trail: filter and read the records, the hash
// chain's verification status and head (what an auditor writes down to
// prove later that nothing before it was changed), and an export.

import {h, field, table, replace} from '../dom.js';
import {t, when} from '../i18n.js';
import {api, saveBlob} from '../api.js';
import {page, pager, empty, notice, errorText} from './common.js';

const FILTERS = ['actor', 'action', 'object', 'since', 'until'];

export async function auditView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const query = {limit: 100};
	for (const k of FILTERS)
		if (params.get(k))
			query[k] = params.get(k);
	const [list, verify] = await Promise.all([api.auditList(query),
		api.auditVerify().catch((e) => ({error: e}))]);

	const inputs = {
		actor: h('input', {name: 'actor', value: query.actor || '', autocomplete: 'off'}),
		action: h('input', {name: 'action', value: query.action || '', autocomplete: 'off',
			placeholder: 'release.approve'}),
		object: h('input', {name: 'object', value: query.object || '', autocomplete: 'off'}),
		since: h('input', {name: 'since', type: 'date', value: query.since || ''}),
		until: h('input', {name: 'until', type: 'date', value: query.until || ''}),
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
	if (verify.error) {
		chain = notice('warn', errorText(verify.error));
	} else {
		const ok = verify.ok === true || verify.verified === true || verify.status === 'ok';
		chain = h('section', {class: ['chain', ok ? 'chain-ok' : 'chain-bad'], 'data-testid': 'chain'},
			h('h2', null, t('audit.chain')),
			h('p', {class: 'chain-status'}, ok ? t('audit.chain_ok', {n: verify.records ?? '?'})
				: t('audit.chain_bad', {why: verify.error_message || verify.message || verify.first_bad || ''})),
			verify.head ? h('p', null, t('audit.head'), ' ',
				h('code', {class: 'hash'}, typeof verify.head === 'string' ? verify.head
					: (verify.head.hash || JSON.stringify(verify.head)))) : null);
	}
	const status = h('span', {class: 'error-text', role: 'alert'});
	const exportBtn = h('button', {type: 'button', class: 'secondary', onclick: async () => {
		replace(status);
		try {
			const q = {...query};
			delete q.limit;
			saveBlob(await api.auditExport(q), 'kyojin-audit.jsonl');
		} catch (e) {
			replace(status, errorText(e));
		}
	}}, t('audit.export'));

	const columns = [
		{label: t('audit.seq'), cell: (r) => String(r.seq ?? r.id ?? ''), class: 'num'},
		{label: t('audit.at'), cell: (r) => when(r.at || r.time || r.ts), class: 'nowrap'},
		{label: t('audit.actor'), cell: (r) => r.actor || '—'},
		{label: t('audit.action'), cell: (r) => h('code', null, r.action || r.event || '—')},
		{label: t('audit.object'), cell: (r) => r.object || r.subject || '—'},
		{label: t('audit.details'), cell: (r) => (r.details ? h('code', {class: 'details'},
			JSON.stringify(r.details)) : '—')},
	];
	const tbl = table(t('audit.caption'), columns, list.items);
	const rowOf = (r) => table(null, columns, [r]).tBodies[0].rows[0];
	return page(t('audit.title'), t('audit.intro'), chain,
		h('div', {class: 'btn-row'}, exportBtn, status),
		filters,
		list.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, list,
			(cursor) => api.auditList({...query, cursor}))] : empty(t('audit.none')));
}
