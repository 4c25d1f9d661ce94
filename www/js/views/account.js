// account.js - my account: password change and TOTP enrolment.
//
// Enrolment: the server makes a secret (after the password is given
// again), the page shows it as a QR code and as text for the
// authenticator, and a code from the authenticator confirms it.

import {h, field, replace, definitionList} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, form} from './common.js';
import {qrSvg} from '../qr.js';

export function accountView(ctx) {
	const a = ctx.account;
	const info = definitionList([
		[t('account.login'), a.login],
		[t('account.name'), a.display_name],
		[t('account.department'), a.department],
		[t('account.role'), label('role', a.role)],
		[t('account.totp'), a.totp_enabled ? t('account.totp_on')
			: a.totp_required ? t('account.totp_required') : t('account.totp_off')],
		[t('account.last_login'), when(a.last_login_at)],
	]);

	const cur = h('input', {type: 'password', name: 'current', autocomplete: 'current-password',
		required: true});
	const neu = h('input', {type: 'password', name: 'new', autocomplete: 'new-password',
		required: true, minlength: 12});
	const pw = form({class: 'card'}, [
		h('h2', null, t('account.pw_title')),
		field(t('account.pw_current'), cur),
		field(t('account.pw_new'), neu, t('account.pw_help')),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('account.pw_submit'))),
	], async () => {
		const s = await api.changePassword(cur.value, neu.value);
		cur.value = '';
		neu.value = '';
		ctx.onSession(s);
		ctx.toast(t('account.pw_done'));
	});

	const enrolArea = h('div', {class: 'enrol-area'});
	const epw = h('input', {type: 'password', name: 'password', autocomplete: 'current-password',
		required: true});
	const enrol = form({class: 'card', 'data-testid': 'totp-enrol'}, [
		h('h2', null, t('account.totp_title')),
		h('p', null, t('account.totp_intro')),
		field(t('account.pw_current'), epw),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('account.totp_start'))),
	], async () => {
		const r = await api.totpEnrol(epw.value);
		epw.value = '';
		const code = h('input', {name: 'code', inputmode: 'numeric', pattern: '[0-9]{6}',
			maxlength: 6, autocomplete: 'one-time-code', required: true, class: 'code'});
		const confirm = form({class: 'confirm'}, [
			field(t('account.totp_code'), code),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'},
				t('account.totp_confirm'))),
		], async () => {
			await api.totpConfirm(code.value.trim());
			replace(enrolArea, h('p', {class: 'ok-text', role: 'status'}, t('account.totp_done')));
			ctx.toast(t('account.totp_done'));
		});
		replace(enrolArea,
			h('div', {class: 'qr'}, qrSvg(r.otpauth_uri, t('account.totp_qr_alt'))),
			h('p', null, t('account.totp_secret')),
			h('p', {class: 'secret', 'data-testid': 'totp-secret'}, r.secret.replace(/(.{4})/g, '$1 ').trim()),
			confirm);
		code.focus();
	});

	return page(t('account.title'), null, info,
		h('div', {class: 'cards'}, pw, h('div', {class: 'card-stack'}, enrol, enrolArea)));
}
