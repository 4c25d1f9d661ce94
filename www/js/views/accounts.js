// accounts.js - console accounts of the departments (account.read): who
// has which role, second factor and lock state; the security team adds
// accounts, locks and unlocks them, sets a password and resets a lost
// second factor.  A new approver's or administrator's pending TOTP
// secret is shown once, as QR code and text, for the person to scan.

import {h, field, replace, table} from '../dom.js';
import {t, label, when} from '../i18n.js';
import {api} from '../api.js';
import {page, form, empty, select, badge, errorText} from './common.js';
import {qrSvg} from '../qr.js';

const ROLES = ['staff', 'approver', 'secadmin', 'auditor', 'readonly'];

function secretBox(login, r) {
	if (!r || !r.totp_secret)
		return null;
	return h('div', {class: 'card secret-box', role: 'status'},
		h('h3', null, t('accounts.secret_title', {login})),
		h('div', {class: 'qr'}, qrSvg(r.otpauth_uri, t('account.totp_qr_alt'))),
		h('p', {class: 'secret'}, r.totp_secret.replace(/(.{4})/g, '$1 ').trim()),
		h('p', {class: 'help'}, t('accounts.secret_help', {login})));
}

function rowActions(ctx, a, area) {
	if (!ctx.can('account.admin'))
		return '—';
	const status = h('span', {class: 'error-text', role: 'alert'});
	const run = (fn) => async () => {
		replace(status);
		try {
			await fn();
		} catch (e) {
			replace(status, errorText(e));
		}
	};
	const pw = h('input', {type: 'password', name: 'password', autocomplete: 'new-password',
		minlength: 12, required: true, 'aria-label': t('accounts.new_password', {login: a.login})});
	const pwForm = form({class: 'decide-inline'}, [pw,
		h('button', {type: 'submit'}, t('accounts.set_password'))], async () => {
		await api.accountPassword(a.login, pw.value);
		pw.value = '';
		ctx.toast(t('accounts.password_set', {login: a.login}));
	});
	return h('div', {class: 'btn-row'},
		a.locked
			? h('button', {type: 'button', onclick: run(async () => {
				await api.accountUnlock(a.login);
				ctx.refresh();
			})}, t('accounts.unlock'))
			: h('button', {type: 'button', class: 'danger', disabled: a.login === ctx.account.login,
				onclick: run(async () => {
					await api.accountLock(a.login);
					ctx.refresh();
				})}, t('accounts.lock')),
		h('button', {type: 'button', class: 'secondary', onclick: run(async () => {
			const r = await api.accountTotpReset(a.login);
			replace(area, secretBox(a.login, r));
			area.scrollIntoView();
		})}, t('accounts.totp_reset')),
		pwForm, status);
}

export async function accountsView(ctx) {
	const r = await api.accounts();
	const area = h('div', {class: 'secret-area', 'aria-live': 'polite'});
	let add = null;
	if (ctx.can('account.admin')) {
		const login = h('input', {name: 'login', required: true, maxlength: 64, autocomplete: 'off',
			spellcheck: 'false'});
		const name = h('input', {name: 'display_name', maxlength: 100, autocomplete: 'off'});
		const role = select('role', ROLES.map((x) => [x, label('role', x)]), 'staff');
		const dept = h('input', {name: 'department', required: true, maxlength: 100, autocomplete: 'off'});
		const email = h('input', {name: 'email', type: 'email', maxlength: 200, autocomplete: 'off'});
		const pw = h('input', {name: 'password', type: 'password', required: true, minlength: 12,
			autocomplete: 'new-password'});
		add = form({class: 'card', 'data-testid': 'account-add'}, [
			h('h2', null, t('accounts.add_title')),
			h('div', {class: 'grid'},
				field(t('account.login'), login), field(t('account.name'), name),
				field(t('account.role'), role, t('accounts.role_help')),
				field(t('account.department'), dept), field(t('accounts.email'), email,
					t('accounts.email_help')),
				field(t('accounts.password'), pw, t('account.pw_help'))),
			h('div', {class: 'actions'}, h('button', {type: 'submit', class: 'primary'}, t('ledger.add'))),
		], async (f) => {
			const body = {login: login.value.trim(), role: role.value, department: dept.value.trim(),
				password: pw.value};
			if (name.value.trim())
				body.display_name = name.value.trim();
			if (email.value.trim())
				body.email = email.value.trim();
			const res = await api.accountAdd(body);
			pw.value = '';
			f.reset();
			ctx.toast(t('accounts.added', {login: body.login}));
			await ctx.refresh();
			const again = document.querySelector('.secret-area');
			if (again)
				replace(again, secretBox(body.login, res));
		});
	}
	return page(t('accounts.title'), t('accounts.intro'),
		area,
		r.items.length ? table(null, [
			{label: t('account.login'), cell: (a) => a.login},
			{label: t('account.name'), cell: (a) => a.display_name || '—'},
			{label: t('account.department'), cell: (a) => a.department},
			{label: t('account.role'), cell: (a) => label('role', a.role)},
			{label: t('account.totp'), cell: (a) => (a.totp_enabled ? badge('totp', 'on')
				: a.totp_required ? badge('totp', 'missing') : badge('totp', 'off'))},
			{label: t('accounts.state'), cell: (a) => (a.locked ? badge('astate', 'locked') : badge('astate', 'active'))},
			{label: t('account.last_login'), cell: (a) => when(a.last_login_at), class: 'nowrap'},
			{label: t('att.actions'), cell: (a) => rowActions(ctx, a, area)},
		], r.items) : empty(t('accounts.none')),
		add);
}
