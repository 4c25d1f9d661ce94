// exchange.js - file exchange between segments: upload on one side,
// approval by the uploader's superior, then inbound files are sanitized
// (CDR) and outbound files checked for personal numbers (a hit blocks
// the transfer), then the recipient downloads on the other side until
// the file expires.

import {h, field, replace, table, bytes} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api, saveBlob} from '../api.js';
import {page, badge, form, pager, empty, select, notice, errorText} from './common.js';

const pick = (o, ...names) => {
	for (const n of names)
		if (o && o[n] !== undefined && o[n] !== null)
			return o[n];
	return null;
};

function blockedText(x) {
	const b = pick(x, 'blocked', 'block', 'findings', 'dlp');
	if (!b)
		return pick(x, 'blocked_reason', 'reason_blocked') || t('exchange.blocked_text');
	if (typeof b === 'string')
		return b;
	const n = pick(b, 'count', 'hits');
	return n ? t('exchange.blocked_count', {n}) : t('exchange.blocked_text');
}

function uploadForm(ctx, done) {
	const file = h('input', {type: 'file', name: 'file', required: true});
	const recipient = h('input', {name: 'recipient', autocomplete: 'off', maxlength: 64,
		required: true, spellcheck: 'false'});
	const note = h('textarea', {name: 'note', rows: 2, maxlength: 1000});
	return form({class: 'card', 'data-testid': 'exchange-upload'}, [
		h('h2', null, t('exchange.upload_title')),
		field(t('exchange.direction'), select('direction', [
			['inbound', label('direction', 'inbound')],
			['outbound', label('direction', 'outbound')]], 'inbound'),
		t('exchange.direction_help')),
		field(t('exchange.file'), file, t('exchange.file_help')),
		field(t('exchange.recipient'), recipient, t('exchange.recipient_help')),
		field(t('exchange.note'), note),
		h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('exchange.upload'))),
	], async (f) => {
		const fl = file.files[0];
		if (!fl)
			return;
		const direction = String(new FormData(f).get('direction'));
		const x = await api.exchangeUpload(fl, {filename: fl.name, direction,
			recipient: recipient.value.trim(), note: note.value.trim()});
		f.reset();
		ctx.toast(x && x.state === 'blocked' ? t('exchange.blocked_text') : t('exchange.uploaded'),
			x && x.state === 'blocked' ? 'error' : 'info');
		done();
	});
}

function rowActions(ctx, x, reload) {
	const status = h('span', {class: 'error-text', role: 'alert'});
	const run = (fn) => async () => {
		replace(status);
		try {
			await fn();
			reload();
		} catch (e) {
			replace(status, errorText(e));
		}
	};
	const me = ctx.account.login;
	const uploader = pick(x, 'uploader', 'uploaded_by');
	const buttons = [];
	if (x.state === 'pending' && ctx.can('exchange.approve') && uploader !== me) {
		buttons.push(h('button', {type: 'button', class: 'primary', 'data-testid': `approve-${x.id}`,
			onclick: run(async () => {
				const r = await api.exchangeApprove(x.id, '');
				ctx.toast(r && r.state === 'blocked' ? t('exchange.blocked_text')
					: t('approvals.approved'), r && r.state === 'blocked' ? 'error' : 'info');
			})}, t('approvals.approve')));
		buttons.push(h('button', {type: 'button', class: 'danger',
			onclick: run(async () => {
				const why = window.prompt(t('approvals.refuse_needs_reason'));
				if (!why)
					return;
				await api.exchangeRefuse(x.id, why);
				ctx.toast(t('approvals.refused'));
			})}, t('approvals.refuse')));
	}
	if ((x.state === 'available' || x.downloadable === true) && ctx.can('exchange.download'))
		buttons.push(h('button', {type: 'button', class: 'primary', 'data-testid': `download-${x.id}`,
			onclick: run(async () => {
				saveBlob(await api.exchangeDownload(x.id), x.filename);
				ctx.toast(t('release.downloaded'));
			})}, t('release.download')));
	return h('div', {class: 'btn-row'}, buttons.length ? buttons : '—', status);
}

export async function exchangeView(ctx) {
	const query = {limit: 50};
	const first = await api.exchangeList(query);
	const listArea = h('div');
	const reload = () => ctx.refresh();
	const columns = [
		{label: t('exchange.uploaded_at'), cell: (x) => when(pick(x, 'uploaded_at', 'created_at')),
			class: 'nowrap'},
		{label: t('exchange.direction'), cell: (x) => badge('direction', x.direction)},
		{label: t('exchange.file'), cell: (x) => x.filename || '—'},
		{label: t('att.size'), cell: (x) => bytes(x.size), class: 'num'},
		{label: t('exchange.uploader'), cell: (x) => pick(x, 'uploader_name', 'uploader', 'uploaded_by') || '—'},
		{label: t('exchange.recipient'), cell: (x) => pick(x, 'recipient_name', 'recipient') || '—'},
		{label: t('release.state'), cell: (x) => [badge('xstate', x.state),
			x.state === 'blocked' ? h('p', {class: 'sub blocked-text', role: 'note'}, blockedText(x)) : null]},
		{label: t('exchange.expires'), cell: (x) => when(pick(x, 'expires_at', 'expires')), class: 'nowrap'},
		{label: t('att.actions'), cell: (x) => rowActions(ctx, x, reload)},
	];
	const tbl = table(t('exchange.caption'), columns, first.items,
		{rowClass: (x) => `state-${x.state}`});
	const rowOf = (x) => table(null, columns, [x]).tBodies[0].rows[0];
	replace(listArea, first.items.length
		? [tbl, pager(tbl.tBodies[0], rowOf, first, (cursor) => api.exchangeList({...query, cursor}))]
		: empty(t('exchange.none')));
	const blocked = first.items.filter((x) => x.state === 'blocked');
	return page(t('exchange.title'), t('exchange.intro'),
		blocked.length ? notice('error', t('exchange.blocked_banner', {n: blocked.length})) : null,
		ctx.can('exchange.upload') ? uploadForm(ctx, reload) : null,
		h('h2', null, t('exchange.list_title')),
		listArea);
}
