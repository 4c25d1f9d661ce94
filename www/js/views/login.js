// login.js - password, then the one-time code when the account has one.
//
// An approver or security administrator whose second factor is still
// pending gets, with the right password, an enrolment (not a session):
// the pending secret is shown as a QR code and as text, and the first
// code from the app activates it and logs in (POST /api/auth/login/enrol).

import {h, field, replace} from '../dom.js';
import {t} from '../i18n.js';
import {api, ApiError} from '../api.js';
import {errorText} from './common.js';
import {qrSvg} from '../qr.js';

// The first-login screen: scan, type the code, logged in.
function enrolView(ctx, done, enrolment, box) {
	const code = h('input', {name: 'code', inputmode: 'numeric', pattern: '[0-9]{6}',
		maxlength: 6, autocomplete: 'one-time-code', required: true, class: 'code'});
	const status = h('div', {class: 'form-status', role: 'alert', 'aria-live': 'assertive'});
	const submit = h('button', {type: 'submit', class: 'primary'}, t('login.enrol_submit'));
	const f = h('form', {class: 'login-form enrol-form'},
		field(t('account.totp_code'), code, t('login.totp_help')),
		h('div', {class: 'actions'}, submit),
		status);
	f.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		replace(status);
		submit.disabled = true;
		try {
			const s = await api.loginEnrol(enrolment.token, code.value.trim());
			code.value = '';
			ctx.onSession(s);
			await done();
		} catch (e) {
			if (!(e instanceof ApiError))
				throw e;
			code.value = '';
			replace(status, h('p', {class: 'error-text'}, errorText(e)));
			code.focus();
		} finally {
			submit.disabled = false;
		}
	});
	replace(box,
		h('h1', {id: 'login-title'}, t('login.enrol_title')),
		h('p', {class: 'intro'}, t('login.enrol_intro')),
		h('div', {class: 'qr'}, qrSvg(enrolment.otpauth_uri, t('account.totp_qr_alt'))),
		h('p', null, t('account.totp_secret')),
		h('p', {class: 'secret', 'data-testid': 'enrol-secret'},
			enrolment.secret.replace(/(.{4})/g, '$1 ').trim()),
		f,
		h('p', {class: 'fineprint'}, t('login.enrol_fineprint')));
	code.focus();
}

export function loginView(ctx, done) {
	const login = h('input', {name: 'login', autocomplete: 'username', required: true,
		autocapitalize: 'off', spellcheck: 'false', maxlength: 64});
	const password = h('input', {name: 'password', type: 'password',
		autocomplete: 'current-password', required: true});
	const totp = h('input', {name: 'totp', inputmode: 'numeric', autocomplete: 'one-time-code',
		pattern: '[0-9]{6}', maxlength: 6, class: 'code'});
	const totpField = field(t('login.totp'), totp, t('login.totp_help'));
	totpField.hidden = true;
	const status = h('div', {class: 'form-status', role: 'alert', 'aria-live': 'assertive'});
	const submit = h('button', {type: 'submit', class: 'primary'}, t('login.submit'));

	const f = h('form', {class: 'login-form', 'aria-labelledby': 'login-title'},
		field(t('login.login'), login),
		field(t('login.password'), password),
		totpField,
		h('div', {class: 'actions'}, submit),
		status);
	f.addEventListener('submit', async (ev) => {
		ev.preventDefault();
		replace(status);
		submit.disabled = true;
		try {
			const s = await api.login(login.value.trim(), password.value,
				totpField.hidden ? null : totp.value.trim());
			password.value = '';
			totp.value = '';
			ctx.onSession(s);
			await done();
		} catch (e) {
			if (!(e instanceof ApiError))
				throw e;
			if (e.code === 'totp_enrolment_required' && e.details && e.details.enrolment) {
				password.value = '';
				enrolView(ctx, done, e.details.enrolment, box);
			} else if (e.code === 'totp_required') {
				totpField.hidden = false;
				replace(status, h('p', {class: 'info-text'}, t('login.totp_needed')));
				totp.focus();
			} else {
				replace(status, h('p', {class: 'error-text'}, errorText(e)));
				if (e.code === 'bad_credentials' && !totpField.hidden)
					totp.value = '';
			}
		} finally {
			submit.disabled = false;
		}
	});

	const box = h('div', {class: 'login-box'},
		h('h1', {id: 'login-title'}, t('login.title')),
		h('p', {class: 'intro'}, t('login.intro')),
		f,
		h('p', {class: 'fineprint'}, t('login.fineprint')));
	return h('section', {class: 'page login'}, box);
}
