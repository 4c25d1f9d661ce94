// approvals.js - release requests: the approver's queue, one request
// with its decisions, approve / refuse, the second approval the security
// team gives before an original (unsanitized) file is released, and the
// download once released.
//
// States (release/release.c): requested -> released (sanitized, ppap);
// requested -> approved -> released (original: two approvals by two
// people); requested|approved -> refused; a file the CDR engine holds on
// approval -> failed.

import {h, field, replace, table, definitionList, bytes} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api, saveBlob} from '../api.js';
import {page, badge, form, pager, empty, select, notice, errorText} from './common.js';

export function downloadable(r) {
	return r.state === 'released';
}

function downloadButton(ctx, r, status) {
	return h('button', {type: 'button', class: 'primary', 'data-testid': `download-${r.id}`,
		onclick: async () => {
			replace(status);
			try {
				saveBlob(await api.releaseDownload(r.id), r.result_name || r.filename);
				ctx.toast(t('release.downloaded'));
			} catch (e) {
				replace(status, errorText(e));
			}
		}}, t('release.download'));
}

export function releaseTable(ctx, items, opts = {}) {
	const columns = [
		{label: t('release.requested_at'), cell: (r) => when(r.created_at), class: 'nowrap'},
		{label: t('release.file'), cell: (r) => h('a', {href: `#/approvals/${encodeURIComponent(r.id)}`},
			r.filename || `#${r.attachment_index}`)},
		opts.showMail !== false
			? {label: t('release.mail'), cell: (r) => [r.subject || t('release.no_subject'),
				h('span', {class: 'sub'}, r.sender || '—')], class: 'mail-subject'} : null,
		{label: t('release.kind'), cell: (r) => badge('kind', r.kind)},
		opts.showRequester !== false
			? {label: t('release.requester'), cell: (r) => r.requester || '—'} : null,
		{label: t('release.reason'), cell: (r) => r.reason || '—', class: 'reason'},
		{label: t('release.state'), cell: (r) => [badge('rstate', r.state),
			r.state === 'failed' && r.failure ? h('span', {class: 'sub'}, r.failure) : null]},
		{label: t('att.actions'), cell: (r) => {
			const status = h('span', {class: 'error-text', role: 'alert'});
			return h('div', {class: 'btn-row'},
				h('a', {href: `#/approvals/${encodeURIComponent(r.id)}`, class: 'button secondary'},
					t('common.details')),
				downloadable(r) && ctx.can('release.download') ? downloadButton(ctx, r, status) : null,
				status);
		}},
	].filter(Boolean);
	return table(opts.caption || null, columns, items, {rowClass: (r) => `state-${r.state}`});
}

// What this account may decide on this request now: the first approval
// (approver of the department, or the security team), or the second one
// of an original (security team).  Nobody decides on their own request.
function decisionNeeded(ctx, r) {
	if (r.requester === ctx.account.login)
		return null;
	if (r.state === 'requested')
		return ctx.can('release.approve') ? 'first' : null;
	if (r.state === 'approved' && r.kind === 'original' && r.approver !== ctx.account.login)
		return ctx.can('release.approve_original') ? 'second' : null;
	return null;
}

export async function approvalsView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const deciding = ctx.can('release.approve');
	// The queue: what waits for me.  The security team's queue also holds
	// originals waiting for their second approval.
	const stateFilter = params.has('state') ? params.get('state')
		: deciding ? 'requested' : '';
	const query = {state: stateFilter, limit: 100};
	const first = await api.releaseList(query);
	let extra = [];
	if (!params.has('state') && ctx.can('release.approve_original')) {
		const second = await api.releaseList({state: 'approved', limit: 100});
		extra = second.items.filter((r) => r.kind === 'original');
	}
	const filters = h('form', {class: 'filters'},
		field(t('release.state'), select('state', [
			['requested', label('rstate', 'requested')],
			['approved', label('rstate', 'approved')],
			['released', label('rstate', 'released')],
			['refused', label('rstate', 'refused')],
			['failed', label('rstate', 'failed')],
			['', t('mail.all')]], stateFilter)),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('common.show'))));
	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const s = new FormData(filters).get('state');
		location.hash = `#/approvals?state=${encodeURIComponent(String(s))}`;
	});
	const items = [...extra, ...first.items];
	const tbl = releaseTable(ctx, items, {caption: t('approvals.caption')});
	const rowOf = (r) => releaseTable(ctx, [r]).tBodies[0].rows[0];
	return page(t(deciding ? 'approvals.title' : 'approvals.title_mine'),
		t(deciding ? 'approvals.intro' : 'approvals.intro_mine'), filters,
		extra.length ? notice('warn', t('approvals.second_waiting', {n: extra.length})) : null,
		items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.releaseList({...query, cursor}))] : empty(t('approvals.none')));
}

function history(r) {
	const rows = [];
	rows.push({step: t('approvals.step_request'), by: r.requester, at: r.created_at,
		text: r.reason, decision: 'requested'});
	if (r.approver)
		rows.push({step: label('level', 1), by: r.approver, at: r.approved_at,
			decision: r.state === 'refused' && !r.second_approver && r.kind !== 'original'
				? 'refused' : 'approved',
			text: r.second_approver ? null : r.decision_comment});
	if (r.second_approver)
		rows.push({step: label('level', 2), by: r.second_approver, at: r.second_approved_at,
			decision: r.state === 'refused' ? 'refused' : 'approved', text: r.decision_comment});
	if (r.state === 'refused' && !r.approver)
		rows.push({step: label('level', 1), by: '—', at: r.updated_at, decision: 'refused',
			text: r.decision_comment});
	return table(null, [
		{label: t('approvals.level'), cell: (x) => x.step},
		{label: t('approvals.decision'), cell: (x) => badge('decision', x.decision)},
		{label: t('approvals.by'), cell: (x) => x.by || '—'},
		{label: t('approvals.at'), cell: (x) => when(x.at)},
		{label: t('approvals.comment'), cell: (x) => x.text || '—'},
	], rows);
}

export async function releaseView(ctx, id) {
	const r = await api.release(id);
	const status = h('div', {class: 'form-status', role: 'alert'});
	const step = decisionNeeded(ctx, r);
	let decide = null;
	if (step) {
		const comment = h('textarea', {name: 'comment', rows: 2, maxlength: 1000});
		decide = form({class: 'card decide', 'data-testid': 'decide'}, [
			h('h2', null, t(step === 'second' ? 'approvals.second_title' : 'approvals.decide_title')),
			r.kind === 'original' ? notice('warn', t('approvals.original_warning')) : null,
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
				const after = await api.releaseApprove(r.id, text);
				ctx.toast(after && after.state === 'failed' ? t('rstate.failed')
					: t('approvals.approved'), after && after.state === 'failed' ? 'error' : 'info');
			}
			ctx.refresh();
		});
	}
	return page(t('release.title', {name: r.filename || r.id}), null,
		h('p', null, h('a', {href: '#/approvals'}, t('approvals.back'))),
		definitionList([
			[t('release.state'), badge('rstate', r.state)],
			[t('release.kind'), badge('kind', r.kind)],
			[t('release.file'), r.filename],
			[t('release.mail'), h('a', {href: `#/mail/${encodeURIComponent(r.quarantine_id)}`},
				r.subject || r.quarantine_id)],
			[t('release.sender'), r.sender || '—'],
			[t('release.requester'), r.requester],
			[t('release.department'), r.department],
			[t('release.requested_at'), when(r.created_at)],
			[t('release.reason'), r.reason],
			r.result_name ? [t('release.result'), `${r.result_name} (${bytes(r.result_size)})`] : null,
			r.failure ? [t('release.failure'), r.failure] : null,
		]),
		h('h2', null, t('approvals.history')),
		history(r),
		r.kind === 'original' && r.state === 'approved'
			? notice('info', t('approvals.waiting_second')) : null,
		decide,
		downloadable(r) && ctx.can('release.download')
			? h('div', {class: 'actions'}, downloadButton(ctx, r, status)) : null,
		status);
}
