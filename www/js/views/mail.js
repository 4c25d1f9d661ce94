// mail.js - quarantine: the mails held or stripped for my department,
// one mail's notice and attachments, asking for an attachment (with a
// reason), opening a password-protected archive (PPAP), my requests.

import {h, field, replace, table, definitionList, bytes} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, badge, form, pager, empty, select, notice} from './common.js';
import {releaseTable} from './approvals.js';

export async function mailListView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const verdict = params.get('verdict') || '';
	const q = params.get('q') || '';
	const query = {verdict, q, limit: 50};
	const first = await api.mailList(query);

	const qInput = h('input', {type: 'search', name: 'q', value: q, maxlength: 200});
	const filters = h('form', {class: 'filters', role: 'search'},
		field(t('mail.filter_verdict'), select('verdict', [
			['', t('mail.all')], ['held', label('verdict', 'held')],
			['sanitized', label('verdict', 'sanitized')]], verdict)),
		field(t('mail.filter_q'), qInput),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('common.search'))));
	filters.addEventListener('submit', (ev) => {
		ev.preventDefault();
		const fd = new FormData(filters);
		const qs = new URLSearchParams();
		for (const k of ['verdict', 'q'])
			if (fd.get(k))
				qs.set(k, String(fd.get(k)));
		const s = qs.toString();
		location.hash = `#/mail${s ? `?${s}` : ''}`;
	});

	const columns = [
		{label: t('mail.received'), cell: (m) => when(m.received_at), class: 'nowrap'},
		{label: t('mail.verdict'), cell: (m) => badge('verdict', m.verdict)},
		{label: t('mail.subject'), cell: (m) => h('a', {href: `#/mail/${encodeURIComponent(m.id)}`},
			m.subject || t('mail.no_subject'))},
		{label: t('mail.sender'), cell: (m) => m.sender || '—'},
		{label: t('mail.attachments'), cell: (m) => String(m.attachments ?? 0), class: 'num'},
		{label: t('mail.reason'), cell: (m) => (m.reasons && m.reasons.length ? m.reasons[0] : '—'),
			class: 'reason'},
	];
	const tbl = table(t('mail.list_caption'), columns, first.items);
	const rowOf = (m) => table(null, columns, [m]).tBodies[0].rows[0];
	return page(t('mail.title'), t('mail.intro'), filters,
		first.items.length ? [tbl, pager(tbl.tBodies[0], rowOf, first,
			(cursor) => api.mailList({...query, cursor}))] : empty(t('mail.none')));
}

// An attachment the sanitizer could not open for its password (PPAP).
function isEncrypted(m, a) {
	const re = new RegExp(`^encrypted: attachment ${a.index}\\b`);
	return (m.reasons || []).some((r) => re.test(r)) ||
		/encrypted|password/i.test(a.note || '');
}

function requestForm(ctx, m, a, done) {
	const reason = h('textarea', {name: 'reason', rows: 3, required: true, maxlength: 1000});
	const kindName = `kind-${a.index}`;
	const kinds = h('fieldset', {class: 'choice'},
		h('legend', null, t('release.kind')),
		['sanitized', 'original'].map((k) => h('label', {class: 'radio'},
			h('input', {type: 'radio', name: kindName, value: k, checked: k === 'sanitized'}),
			' ', label('kind', k))),
		h('p', {class: 'help'}, t('release.kind_help')));
	return form({class: 'inline-form', 'data-testid': `request-${a.index}`}, [
		h('h3', null, t('release.ask_title', {name: a.filename || `#${a.index}`})),
		kinds,
		field(t('release.reason'), reason, t('release.reason_help')),
		h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('release.ask'))),
	], async (f) => {
		const kind = f.querySelector(`input[name="${kindName}"]:checked`).value;
		await api.releaseRequest({quarantine_id: m.id, attachment_index: a.index, kind,
			reason: reason.value.trim()});
		ctx.toast(t('release.asked'));
		done();
	});
}

function ppapForm(ctx, m, a, done) {
	// The password is sent once with this request and dropped from the
	// page at once; the browser is told not to offer to save it.
	const pw = h('input', {type: 'password', name: 'archive-password', autocomplete: 'off',
		required: true, maxlength: 256, 'data-lpignore': 'true'});
	const reason = h('textarea', {name: 'reason', rows: 2, required: true, maxlength: 1000});
	return form({class: 'inline-form ppap', 'data-testid': `ppap-${a.index}`}, [
		h('h3', null, t('ppap.title', {name: a.filename || `#${a.index}`})),
		h('p', {class: 'help'}, t('ppap.intro')),
		field(t('ppap.password'), pw, t('ppap.password_help')),
		field(t('release.reason'), reason),
		h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ppap.open'))),
	], async () => {
		const password = pw.value;
		pw.value = '';
		await api.ppapOpen({quarantine_id: m.id, attachment_index: a.index, password,
			reason: reason.value.trim()});
		ctx.toast(t('ppap.opened'));
		done();
	});
}

export async function mailView(ctx, id) {
	const m = await api.mail(id);
	const canAsk = ctx.can('release.request');
	const atts = m.attachment_list || [];
	const formArea = h('div', {class: 'form-area', 'aria-live': 'polite'});
	const reqArea = h('div', {class: 'requests'});

	const loadRequests = async () => {
		if (!ctx.can('release.read'))
			return;
		try {
			// The requests of this mail, newest first (filtered by the server).
			const r = await api.releaseList({quarantine_id: m.id, limit: 100});
			const mine = r.items;
			replace(reqArea, h('h2', null, t('mail.requests')),
				mine.length ? releaseTable(ctx, mine, {showMail: false})
					: empty(t('mail.no_requests')));
		} catch (e) {
			replace(reqArea, h('h2', null, t('mail.requests')),
				notice('warn', t('error.endpoint_missing')));
			if (e.status !== 404)
				throw e;
		}
	};
	const after = () => {
		replace(formArea);
		loadRequests();
	};

	const attColumns = [
		{label: t('att.index'), cell: (a) => String(a.index), class: 'num'},
		{label: t('att.filename'), cell: (a) => a.filename || '—'},
		{label: t('att.type'), cell: (a) => {
			const mismatch = a.declared_type && a.detected_type && a.declared_type !== a.detected_type;
			return h('span', null, a.detected_type || a.declared_type || '—',
				mismatch ? h('span', {class: 'sub'}, t('att.declared', {type: a.declared_type})) : null);
		}},
		{label: t('att.size'), cell: (a) => bytes(a.size), class: 'num'},
		{label: t('att.note'), cell: (a) => [a.note || '',
			isEncrypted(m, a) ? badge('att', 'encrypted') : null]},
		{label: t('att.actions'), cell: (a) => (canAsk ? h('div', {class: 'btn-row'},
			isEncrypted(m, a)
				? h('button', {type: 'button', class: 'secondary',
					onclick: () => {
						replace(formArea, ppapForm(ctx, m, a, after));
						formArea.querySelector('input').focus();
					}}, t('ppap.button'))
				: h('button', {type: 'button', class: 'secondary',
					onclick: () => {
						replace(formArea, requestForm(ctx, m, a, after));
						formArea.querySelector('textarea').focus();
					}}, t('release.button'))) : '—')},
	];

	const reasons = m.reasons || [];
	const actions = (m.report && m.report.actions) || [];
	const noticeBox = h('section', {class: ['mail-notice', `verdict-${m.verdict}`],
		'aria-labelledby': 'notice-h'},
	h('h2', {id: 'notice-h'}, t(m.verdict === 'held' ? 'mail.notice_held' : 'mail.notice_sanitized')),
	h('p', null, t(m.verdict === 'held' ? 'mail.notice_held_text' : 'mail.notice_sanitized_text')),
	reasons.length ? h('ul', {class: 'reasons'}, reasons.map((r) => h('li', null, r))) : null,
	actions.length ? h('p', {class: 'actions-taken'}, t('mail.actions'), ' ',
		actions.map((a) => badge('action', a))) : null);

	const view = page(m.subject || t('mail.no_subject'), null,
		h('p', null, h('a', {href: '#/mail'}, t('mail.back'))),
		definitionList([
			[t('mail.verdict'), badge('verdict', m.verdict)],
			[t('mail.sender'), m.sender],
			[t('mail.recipients'), m.recipients],
			[t('mail.received'), when(m.received_at)],
			[t('mail.id'), h('code', null, m.id)],
			[t('mail.departments'), (m.departments || []).join('、')],
		]),
		noticeBox,
		h('h2', null, t('mail.attachment_list')),
		atts.length ? table(null, attColumns, atts) : empty(t('mail.no_attachments')),
		formArea,
		reqArea);
	await loadRequests();
	return view;
}

