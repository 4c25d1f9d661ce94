// gateway.js - the sanitizing gateway at a glance: queue counts, why
// mail is held, throughput, and whether each worker is alive.

import {h, table} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, empty, badge} from './common.js';

function counters(obj) {
	return h('ul', {class: 'counters'}, Object.entries(obj || {}).map(([k, v]) =>
		h('li', {class: 'counter'}, h('span', {class: 'counter-value'}, String(v)),
			h('span', {class: 'counter-label'}, label('queue', k)))));
}

export async function gatewayView(ctx) {
	const g = await api.gateway();
	const held = g.held_reasons || g.held || [];
	const workers = g.workers || [];
	const tp = g.throughput || {};
	return page(t('gateway.title'), t('gateway.intro'),
		h('h2', null, t('gateway.queue')), counters(g.queue || g.counts),
		h('h2', null, t('gateway.throughput')),
		Array.isArray(tp) ? table(null, [
			{label: t('gateway.period'), cell: (x) => x.period || x.window || '—'},
			{label: t('gateway.received'), cell: (x) => String(x.received ?? '—'), class: 'num'},
			{label: t('gateway.delivered'), cell: (x) => String(x.delivered ?? '—'), class: 'num'},
			{label: t('gateway.held'), cell: (x) => String(x.held ?? '—'), class: 'num'},
		], tp) : counters(tp),
		h('h2', null, t('gateway.held_reasons')),
		held.length ? table(null, [
			{label: t('gateway.reason'), cell: (x) => x.reason || x.kind || '—'},
			{label: t('gateway.count'), cell: (x) => String(x.count ?? 0), class: 'num'},
		], held) : empty(t('gateway.no_held')),
		h('h2', null, t('gateway.workers')),
		workers.length ? table(null, [
			{label: t('gateway.worker'), cell: (w) => w.name || w.id || '—'},
			{label: t('gateway.health'), cell: (w) => badge('health', w.state || (w.alive ? 'ok' : 'down'))},
			{label: t('gateway.jobs'), cell: (w) => String(w.jobs ?? '—'), class: 'num'},
			{label: t('gateway.last_seen'), cell: (w) => when(w.last_seen || w.updated_at)},
		], workers) : empty(t('gateway.no_workers')),
		g.updated_at ? h('p', {class: 'help'}, t('gateway.as_of', {at: when(g.updated_at)})) : null);
}
