// notifications.js - what the server told the security team (an
// outbound file blocked for a personal number, ...), newest first.

import {h, table} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, pager, empty} from './common.js';

export async function notificationsView(ctx) {
	const query = {limit: 100};
	const first = await api.notifications(query);
	const columns = [
		{label: t('notify.at'), cell: (n) => when(n.created_at), class: 'nowrap'},
		{label: t('notify.kind'), cell: (n) => label('notify', n.kind)},
		{label: t('notify.object'), cell: (n) => (n.object && /^X-/.test(n.object)
			? h('a', {href: '#/exchange'}, n.object) : n.object || '—')},
		{label: t('notify.message'), cell: (n) => n.message || '—', class: 'reason'},
	];
	const tbl = table(null, columns, first.items, {rowClass: (n) => `notify-${n.kind}`});
	const rowOf = (n) => table(null, columns, [n]).tBodies[0].rows[0];
	return page(t('notify.title'), t('notify.intro'),
		first.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.notifications({...query, cursor}))] : empty(t('notify.none')));
}
