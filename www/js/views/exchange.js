// exchange.js - file exchange between segments (基本方針 6(3)②):
//
//   uploaded --approve--> inbound:  CDR --> available | failed
//      |                  outbound: personal numbers? --> blocked | available
//      +--refuse--> refused;   available --(expiry)--> expired
//
// The uploader's superior (the department's approver, or the security
// team; never the uploader) decides; the recipient downloads on the other
// side until the file expires.  A blocked outbound file shows the masked
// personal numbers found; the security team is notified by the server.

import {h, field, replace, table, bytes} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api, saveBlob} from '../api.js';
import {page, badge, form, pager, empty, select, notice, errorText} from './common.js';

function blockedDetails(x) {
	const rep = x.report && typeof x.report === 'object' ? x.report : null;
	const n = rep && typeof rep.my_number === 'number' ? rep.my_number : null;
	const masked = rep && Array.isArray(rep.masked) ? rep.masked : [];
	return h('div', {class: 'blocked-box', role: 'note'},
		h('p', {class: 'blocked-text'}, n ? t('exchange.blocked_count', {n}) : t('exchange.blocked_text')),
		masked.length ? h('p', {class: 'sub'}, t('exchange.masked'), ' ',
			masked.map((m) => h('code', {class: 'masked'}, m))) : null,
		h('p', {class: 'sub'}, t('exchange.notified')));
}

function uploadForm(ctx, done) {
	const file = h('input', {type: 'file', name: 'file', required: true});
	const recipient = h('input', {name: 'recipient', autocomplete: 'off', maxlength: 64,
		required: true, spellcheck: 'false'});
	const note = h('textarea', {name: 'note', rows: 2, maxlength: 1000});
	const direction = select('direction', [
		['inbound', label('direction', 'inbound')],
		['outbound', label('direction', 'outbound')]], 'inbound');
	return form({class: 'card', 'data-testid': 'exchange-upload'}, [
		h('h2', null, t('exchange.upload_title')),
		field(t('exchange.direction'), direction, t('exchange.direction_help')),
		field(t('exchange.file'), file, t('exchange.file_help')),
		field(t('exchange.recipient'), recipient, t('exchange.recipient_help')),
		field(t('exchange.note'), note),
		h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('exchange.upload'))),
	], async (f) => {
		const fl = file.files[0];
		if (!fl)
			return;
		await api.exchangeUpload(fl, {name: fl.name, direction: direction.value,
			recipient: recipient.value.trim(), note: note.value.trim()});
		f.reset();
		ctx.toast(t('exchange.uploaded'));
		done();
	});
}

function decideForm(ctx, x, done) {
	const comment = h('input', {name: 'comment', maxlength: 1000, autocomplete: 'off',
		'aria-label': t('approvals.comment')});
	return form({class: 'decide-inline', 'data-testid': `decide-${x.id}`}, [
		comment,
		h('button', {type: 'submit', class: 'primary', value: 'approve'}, t('approvals.approve')),
		h('button', {type: 'submit', class: 'danger', value: 'refuse'}, t('approvals.refuse')),
	], async (f, submitter) => {
		if (submitter && submitter.value === 'refuse') {
			if (!comment.value.trim()) {
				comment.setCustomValidity(t('approvals.refuse_needs_reason'));
				comment.reportValidity();
				comment.setCustomValidity('');
				return;
			}
			await api.exchangeRefuse(x.id, comment.value.trim());
			ctx.toast(t('approvals.refused'));
		} else {
			const r = await api.exchangeApprove(x.id, comment.value.trim());
			if (r && r.state === 'blocked')
				ctx.toast(t('exchange.blocked_text'), 'error');
			else if (r && r.state === 'failed')
				ctx.toast(t('xstate.failed'), 'error');
			else
				ctx.toast(t('approvals.approved'));
		}
		done();
	});
}

function rowActions(ctx, x, reload) {
	const status = h('span', {class: 'error-text', role: 'alert'});
	const me = ctx.account.login;
	const parts = [];
	if (x.state === 'uploaded' && ctx.can('exchange.approve') && x.uploader !== me)
		parts.push(decideForm(ctx, x, reload));
	// The recipient (or the uploader's department) downloads while available.
	if (x.state === 'available' && ctx.can('exchange.download'))
		parts.push(h('button', {type: 'button', class: 'primary', 'data-testid': `download-${x.id}`,
			onclick: async () => {
				replace(status);
				try {
					saveBlob(await api.exchangeDownload(x.id), x.filename);
					ctx.toast(t('release.downloaded'));
				} catch (e) {
					replace(status, errorText(e));
				}
			}}, t('release.download')));
	return h('div', {class: 'btn-row'}, parts.length ? parts : '—', status);
}

export async function exchangeView(ctx) {
	const query = {limit: 100};
	const first = await api.exchangeList(query);
	const reload = () => ctx.refresh();
	const columns = [
		{label: t('exchange.uploaded_at'), cell: (x) => when(x.created_at), class: 'nowrap'},
		{label: t('exchange.direction'), cell: (x) => badge('dir', x.direction)},
		{label: t('exchange.file'), cell: (x) => [x.filename || '—',
			x.note ? h('span', {class: 'sub'}, x.note) : null]},
		{label: t('att.size'), cell: (x) => bytes(x.size), class: 'num'},
		{label: t('exchange.uploader'), cell: (x) => x.uploader || '—'},
		{label: t('exchange.recipient'), cell: (x) => x.recipient || '—'},
		{label: t('release.state'), class: 'state', cell: (x) => [badge('xstate', x.state),
			x.state === 'blocked' ? blockedDetails(x) : null,
			x.state === 'failed' && x.failure ? h('span', {class: 'sub'}, x.failure) : null,
			x.state === 'refused' && x.decision_comment ? h('span', {class: 'sub'}, x.decision_comment) : null]},
		{label: t('exchange.expires'), cell: (x) => (x.expires_unix ? when(x.expires_unix) : '—'),
			class: 'nowrap'},
		{label: t('att.actions'), cell: (x) => rowActions(ctx, x, reload)},
	];
	const tbl = table(t('exchange.caption'), columns, first.items,
		{rowClass: (x) => `state-${x.state}`});
	const rowOf = (x) => table(null, columns, [x]).tBodies[0].rows[0];
	const blocked = first.items.filter((x) => x.state === 'blocked');
	return page(t('exchange.title'), t('exchange.intro'),
		blocked.length ? notice('error', t('exchange.blocked_banner', {n: blocked.length})) : null,
		ctx.can('exchange.upload') ? uploadForm(ctx, reload) : null,
		h('h2', null, t('exchange.list_title')),
		first.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.exchangeList({...query, cursor}))] : empty(t('exchange.none')));
}
