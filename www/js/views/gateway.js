// gateway.js - the sanitizing gateway at a glance: the queue by state,
// why mail is held, throughput of the last hour and day, work pending
// and its age, and kyojind's own counters (worker health) when the
// console is told where its metrics are (console.gateway_metrics).

import {h, table} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, empty, badge, notice, select, pager} from './common.js';

function counters(obj, prefix) {
	return h('ul', {class: 'counters'}, Object.entries(obj || {}).map(([k, v]) =>
		h('li', {class: 'counter'}, h('span', {class: 'counter-value'}, v === null ? '—' : String(v)),
			h('span', {class: 'counter-label'}, label(prefix, k)))));
}

function age(s) {
	if (s === null || s === undefined)
		return '—';
	if (s < 120)
		return t('gateway.age_s', {n: s});
	if (s < 7200)
		return t('gateway.age_m', {n: Math.round(s / 60)});
	return t('gateway.age_h', {n: Math.round(s / 3600)});
}

function workers(k) {
	if (!k || !k.configured)
		return notice('info', t('gateway.no_metrics'));
	if (!k.reachable)
		return notice('error', t('gateway.unreachable', {why: k.error || ''}));
	const c = k.counters || {};
	const names = Object.keys(c).sort();
	return [
		h('p', null, badge('health', 'ok'), ' ', t('gateway.reachable')),
		names.length ? table(t('gateway.counters'), [
			{label: t('gateway.metric'), cell: (n) => h('code', null, n)},
			{label: t('gateway.value'), cell: (n) => String(c[n]), class: 'num'},
		], names) : empty(t('gateway.no_counters')),
	];
}

export async function gatewayView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const state = params.get('state') || '';
	const [g, q] = await Promise.all([api.gatewaySummary(),
		api.gatewayQueue({state, limit: 50})]);
	const picker = h('form', {class: 'filters'},
		h('label', {for: 'queue-state'}, t('gateway.queue_state')),
		select('state', [['', t('mail.all')], ...['received', 'sanitized', 'held', 'delivered']
			.map((s) => [s, label('queue', s)])], state, {id: 'queue-state'}),
		h('button', {type: 'submit'}, t('common.show')));
	picker.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const s = new FormData(picker).get('state');
		location.hash = `#/gateway${s ? `?state=${encodeURIComponent(String(s))}` : ''}`;
	});
	const qcols = [
		{label: t('mail.received'), cell: (m) => when(m.received_at), class: 'nowrap'},
		{label: t('gateway.state'), cell: (m) => badge('queue', m.state)},
		{label: t('mail.sender'), cell: (m) => m.sender || '—'},
		{label: t('mail.recipients'), cell: (m) => (m.recipients || []).join(', ')},
		{label: t('gateway.reason'), cell: (m) => m.reason || m.last_error || '—', class: 'reason'},
		{label: t('gateway.attempts'), cell: (m) => String(m.attempts), class: 'num'},
	];
	const qt = table(t('gateway.queue_caption'), qcols, q.items);
	const rowOf = (m) => table(null, qcols, [m]).tBodies[0].rows[0];
	const held = g.held_reasons || [];
	return page(t('gateway.title'), t('gateway.intro'),
		h('h2', null, t('gateway.queue')), counters(g.states, 'queue'),
		h('h2', null, t('gateway.throughput')),
		counters({last_hour: g.received && g.received.last_hour,
			last_day: g.received && g.received.last_day,
			pending: g.pending && g.pending.messages,
			retrying: g.pending && g.pending.retrying}, 'gw'),
		h('p', null, t('gateway.oldest', {age: age(g.pending && g.pending.oldest_age_s)})),
		h('h2', null, t('gateway.held_reasons')),
		held.length ? table(null, [
			{label: t('gateway.reason'), cell: (x) => x.reason || '—', class: 'reason'},
			{label: t('gateway.count'), cell: (x) => String(x.count ?? 0), class: 'num'},
		], held) : empty(t('gateway.no_held')),
		h('h2', null, t('gateway.workers')), workers(g.kyojind),
		h('h2', null, t('gateway.queue_list')), picker,
		q.items.length ? [qt, pager(qt.tBodies[0], rowOf, q,
			(cursor) => api.gatewayQueue({state, limit: 50, cursor}))] : empty(t('gateway.queue_empty')));
}
