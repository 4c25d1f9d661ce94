// approvals.js - release requests: the approver's queue, one request
// with its approvals, approve / refuse, the second approval needed to
// release an original unsanitized, and the download once released.

import {h, field, replace, table, definitionList} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api, saveBlob} from '../api.js';
import {page, badge, form, pager, empty, select, notice, errorText} from './common.js';

const pick = (o, ...names) => {
	for (const n of names)
		if (o && o[n] !== undefined && o[n] !== null)
			return o[n];
	return null;
};

export const releaseFile = (r) => pick(r, 'filename', 'attachment_filename') ||
	(r.attachment && typeof r.attachment === 'object' ? r.attachment.filename : null);
const releaseMail = (r) => pick(r, 'quarantine_id', 'mail_id', 'mail');

// Released (every approval given, the file made): downloadable.
export function downloadable(r) {
	return r.state === 'released' || r.downloadable === true;
}

async function download(ctx, r) {
	const res = await api.releaseDownload(r.id);
	saveBlob(res, releaseFile(r));
	ctx.toast(t('release.downloaded'));
}

function downloadButton(ctx, r, onError) {
	return h('button', {type: 'button', class: 'primary', 'data-testid': `download-${r.id}`,
		onclick: async () => {
			try {
				await download(ctx, r);
			} catch (e) {
				onError(e);
			}
		}}, t('release.download'));
}

export function releaseTable(ctx, items, opts = {}) {
	const columns = [
		{label: t('release.requested_at'), cell: (r) => when(pick(r, 'requested_at', 'created_at')),
			class: 'nowrap'},
		opts.showMail !== false ? {label: t('release.mail'), cell: (r) =>
			h('a', {href: `#/approvals/${encodeURIComponent(r.id)}`},
				pick(r, 'subject', 'mail_subject') || releaseMail(r) || r.id)} : null,
		{label: t('release.file'), cell: (r) => releaseFile(r) || `#${pick(r, 'attachment_index', 'attachment') ?? ''}`},
		{label: t('release.kind'), cell: (r) => badge('kind', r.kind || 'sanitized')},
		{label: t('release.requester'), cell: (r) => pick(r, 'requester_name', 'requester') || '—'},
		{label: t('release.reason'), cell: (r) => r.reason || '—', class: 'reason'},
		{label: t('release.state'), cell: (r) => badge('rstate', r.state)},
		{label: t('att.actions'), cell: (r) => {
			const status = h('span', {class: 'error-text', role: 'alert'});
			return h('div', {class: 'btn-row'},
				h('a', {href: `#/approvals/${encodeURIComponent(r.id)}`, class: 'button secondary'},
					t('common.details')),
				downloadable(r) && ctx.can('release.download')
					? downloadButton(ctx, r, (e) => replace(status, errorText(e))) : null,
				status);
		}},
	].filter(Boolean);
	return table(opts.caption || null, columns, items, {rowClass: (r) => `state-${r.state}`});
}

export async function approvalsView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const stateFilter = params.has('state') ? params.get('state') : 'pending';
	const query = {state: stateFilter, limit: 50};
	const first = await api.releaseList(query);
	const filters = h('form', {class: 'filters'},
		field(t('release.state'), select('state', [
			['pending', label('rstate', 'pending')],
			['approved', label('rstate', 'approved')],
			['released', label('rstate', 'released')],
			['refused', label('rstate', 'refused')],
			['', t('mail.all')]], stateFilter)),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('common.show'))));
	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const s = new FormData(filters).get('state');
		location.hash = `#/approvals?state=${encodeURIComponent(String(s))}`;
	});
	const tbl = releaseTable(ctx, first.items, {caption: t('approvals.caption')});
	const rowOf = (r) => releaseTable(ctx, [r]).tBodies[0].rows[0];
	return page(t('approvals.title'), t('approvals.intro'), filters,
		first.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.releaseList({...query, cursor}))] : empty(t('approvals.none')));
}

// What this account may decide on this request now.
function decisionNeeded(ctx, r) {
	if (r.state === 'pending')
		return ctx.can('release.approve') ? 'first' : null;
	if (r.state === 'approved' && r.kind === 'original')
		return ctx.can('release.approve_original') ? 'second' : null;
	return null;
}

export async function releaseView(ctx, id) {
	const r = await api.release(id);
	const approvals = r.approvals || [];
	const status = h('div', {class: 'form-status', role: 'alert'});
	const step = decisionNeeded(ctx, r);
	let decide = null;
	if (step) {
		const comment = h('textarea', {name: 'comment', rows: 2, maxlength: 1000});
		decide = form({class: 'card decide', 'data-testid': 'decide'}, [
			h('h2', null, t(step === 'second' ? 'approvals.second_title' : 'approvals.decide_title')),
			step === 'second' || r.kind === 'original'
				? notice('warn', t('approvals.original_warning')) : null,
			field(t('approvals.comment'), comment, t('approvals.comment_help')),
			h('div', {class: 'actions'},
				h('button', {type: 'submit', class: 'primary', value: 'approve'}, t('approvals.approve')),
				h('button', {type: 'submit', class: 'danger', value: 'refuse'}, t('approvals.refuse'))),
		], async (f, submitter) => {
			const text = comment.value.trim();
			if (submitter && submitter.value === 'refuse') {
				if (!text) {
					comment.setCustomValidity(t('approvals.refuse_needs_reason'));
					comment.reportValidity();
					comment.setCustomValidity('');
					return;
				}
				await api.releaseRefuse(r.id, text);
				ctx.toast(t('approvals.refused'));
			} else {
				await api.releaseApprove(r.id, text);
				ctx.toast(t('approvals.approved'));
			}
			ctx.refresh();
		});
	}
	const mailId = releaseMail(r);
	return page(t('release.title', {name: releaseFile(r) || r.id}), null,
		h('p', null, h('a', {href: '#/approvals'}, t('approvals.back'))),
		definitionList([
			[t('release.state'), badge('rstate', r.state)],
			[t('release.kind'), badge('kind', r.kind || 'sanitized')],
			[t('release.file'), releaseFile(r)],
			[t('release.mail'), mailId ? h('a', {href: `#/mail/${encodeURIComponent(mailId)}`},
				pick(r, 'subject', 'mail_subject') || mailId) : null],
			[t('release.requester'), pick(r, 'requester_name', 'requester')],
			[t('release.department'), r.department],
			[t('release.requested_at'), when(pick(r, 'requested_at', 'created_at'))],
			[t('release.reason'), r.reason],
			r.result ? [t('release.result'), typeof r.result === 'string' ? r.result
				: JSON.stringify(r.result)] : null,
		]),
		h('h2', null, t('approvals.history')),
		approvals.length ? table(null, [
			{label: t('approvals.level'), cell: (a) => label('level', pick(a, 'level', 'step') || 1)},
			{label: t('approvals.decision'), cell: (a) => badge('decision', pick(a, 'decision', 'action'))},
			{label: t('approvals.by'), cell: (a) => pick(a, 'by_name', 'by', 'approver') || '—'},
			{label: t('approvals.at'), cell: (a) => when(pick(a, 'at', 'decided_at'))},
			{label: t('approvals.comment'), cell: (a) => pick(a, 'comment', 'reason') || '—'},
		], approvals) : empty(t('approvals.no_history')),
		r.kind === 'original' && r.state === 'approved'
			? notice('info', t('approvals.waiting_second')) : null,
		decide,
		downloadable(r) && ctx.can('release.download')
			? h('div', {class: 'actions'}, downloadButton(ctx, r, (e) => replace(status, errorText(e))))
			: null,
		status);
}
