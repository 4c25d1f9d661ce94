// app.js - kyojin console: start-up, the session, the menu and the router.
//
// The page is one HTML shell (index.html); each screen is a view module
// that builds its DOM from the API's JSON.  Routes are URL fragments
// (#/mail/Q-...), so the server only ever serves static files and the
// API, and the back button works.

import {api, setCsrf, ApiError} from './api.js';
import {h, replace} from './dom.js';
import {initLang, getLang, setLang, t, label} from './i18n.js';
import {loginView} from './views/login.js';
import {accountView} from './views/account.js';
import {mailListView, mailView} from './views/mail.js';
import {approvalsView, releaseView} from './views/approvals.js';
import {exchangeView} from './views/exchange.js';
import {ledgerHomeView, registerView, recordView} from './views/ledger.js';
import {riskView} from './views/risk.js';
import {inspectListView, inspectView} from './views/inspect.js';
import {incidentsView, dueView} from './views/incidents.js';
import {gatewayView} from './views/gateway.js';
import {auditView} from './views/audit.js';
import {notificationsView} from './views/notifications.js';
import {accountsView} from './views/accounts.js';
import {notice} from './views/common.js';

const state = {session: null};

// Menu: [route, message key, action needed].
const MENU = [
	['mail', 'nav.mail', 'mail.read'],
	['approvals', () => (can('release.approve') ? 'nav.approvals' : 'nav.requests'), 'release.read'],
	['exchange', 'nav.exchange', 'exchange.read'],
	['ledger', 'nav.ledger', 'ledger.read'],
	['risk', 'nav.risk', 'ledger.read'],
	['inspect', 'nav.inspect', 'ledger.read'],
	['incidents', 'nav.incidents', 'ledger.read'],
	['due', 'nav.due', 'ledger.read'],
	['notifications', 'nav.notifications', 'notification.read'],
	['gateway', 'nav.gateway', 'gateway.read'],
	['audit', 'nav.audit', 'audit.read'],
	['accounts', 'nav.accounts', 'account.read'],
];

// Routes: first segment -> (params) => view.
const ROUTES = {
	mail: (p) => (p[0] ? mailView(ctx(), p[0]) : mailListView(ctx())),
	approvals: (p) => (p[0] ? releaseView(ctx(), p[0]) : approvalsView(ctx())),
	exchange: () => exchangeView(ctx()),
	ledger: (p) => (p[1] ? recordView(ctx(), p[0], p[1])
		: p[0] ? registerView(ctx(), p[0]) : ledgerHomeView(ctx())),
	risk: () => riskView(ctx()),
	inspect: (p) => (p[0] ? inspectView(ctx(), p[0]) : inspectListView(ctx())),
	incidents: (p) => incidentsView(ctx(), p[0]),
	due: () => dueView(ctx()),
	notifications: () => notificationsView(ctx()),
	gateway: () => gatewayView(ctx()),
	audit: () => auditView(ctx()),
	account: () => accountView(ctx()),
	accounts: () => accountsView(ctx()),
};

function can(action) {
	const p = state.session && state.session.permissions;
	return Boolean(p && p[action] && p[action] !== 'none');
}

function ctx() {
	return {
		account: state.session ? state.session.account : null,
		session: state.session,
		can,
		navigate,
		toast,
		refresh: render,
		onSession: setSession,
	};
}

export function navigate(route) {
	const target = `#/${route}`;
	if (location.hash === target)
		render();
	else
		location.hash = target;
}

export function toast(text, kind = 'info') {
	const area = document.getElementById('toasts');
	const el = h('div', {class: ['toast', `toast-${kind}`]}, text);
	area.append(el);
	while (area.childElementCount > 3)
		area.firstElementChild.remove();
	el.addEventListener('click', () => el.remove());
	setTimeout(() => el.remove(), 8000);
}

function setSession(s) {
	state.session = s;
	setCsrf(s ? s.csrf_token : null);
	renderChrome();
}

function langSwitch() {
	const other = getLang() === 'ja' ? 'en' : 'ja';
	return h('button', {
		type: 'button', class: 'link lang-switch', lang: other,
		onclick: () => {
			setLang(other);
			renderChrome();
			render();
		},
	}, other === 'en' ? 'English' : '日本語');
}

function renderChrome() {
	document.title = t('app.title');
	replace(document.getElementById('brand-name'), t('app.name'));
	replace(document.getElementById('skip-link'), t('app.skip'));
	const bar = document.getElementById('session-bar');
	const nav = document.getElementById('mainnav');
	nav.setAttribute('aria-label', t('nav.label'));
	const a = state.session && state.session.account;
	if (!a) {
		replace(bar, langSwitch());
		replace(nav);
		nav.hidden = true;
	} else {
		replace(bar,
			h('span', {class: 'who'},
				h('span', {class: 'who-name', 'data-testid': 'who'}, a.display_name || a.login),
				h('span', {class: 'who-meta'},
					`${a.department} · ${label('role', a.role)}`)),
			h('a', {href: '#/account', class: 'link'}, t('nav.account')),
			langSwitch(),
			h('button', {type: 'button', class: 'link', onclick: logout}, t('nav.logout')));
		nav.hidden = false;
		const current = currentRoute()[0];
		replace(nav, h('ul', null, MENU.filter(([, , action]) => can(action)).map(([route, key]) =>
			h('li', null, h('a', {
				href: `#/${route}`,
				'aria-current': route === current ? 'page' : null,
			}, t(typeof key === 'function' ? key() : key))))));
	}
	replace(document.getElementById('footer'), t('app.footer'));
}

async function logout() {
	try {
		await api.logout();
	} catch (e) {
		if (!(e instanceof ApiError))
			throw e;
	}
	setSession(null);
	location.hash = '';
	render();
}

function currentRoute() {
	const m = /^#\/([^?]*)/.exec(location.hash);
	const parts = m ? m[1].split('/').filter(Boolean).map((s) => {
		try {
			return decodeURIComponent(s);
		} catch {
			return s;
		}
	}) : [];
	return parts;
}

function defaultRoute() {
	if (can('mail.read'))
		return 'mail';
	if (can('audit.read'))
		return 'audit';
	return 'ledger';
}

let renderSeq = 0;

async function render() {
	const main = document.getElementById('main');
	const seq = ++renderSeq;
	if (!state.session) {
		replace(main, loginView(ctx(), async () => {
			renderChrome();
			if (!location.hash || location.hash === '#/')
				location.hash = `#/${defaultRoute()}`;
			else
				render();
		}));
		focusHeading(main);
		return;
	}
	const parts = currentRoute();
	if (!parts.length) {
		location.hash = `#/${defaultRoute()}`;
		return;
	}
	renderChrome();
	const route = ROUTES[parts[0]];
	main.setAttribute('aria-busy', 'true');
	let view;
	try {
		view = route ? await route(parts.slice(1)) : notice('error', t('error.no_such_page'));
	} catch (e) {
		if (!(e instanceof ApiError))
			throw e;
		view = errorView(e);
	}
	if (seq !== renderSeq)
		return; /* a later navigation won */
	main.removeAttribute('aria-busy');
	replace(main, view);
	focusHeading(main);
}

export function errorView(e) {
	if (e.status === 401)
		return notice('error', t('error.session'));
	if (e.status === 404 && e.message === 'no such API endpoint')
		return notice('warn', t('error.endpoint_missing'));
	if (e.status === 404)
		return notice('error', t('error.not_found'));
	if (e.status === 403)
		return notice('error', t('error.forbidden'));
	return notice('error', t('error.generic', {message: e.message}));
}

function focusHeading(main) {
	const h1 = main.querySelector('h1');
	if (h1) {
		h1.tabIndex = -1;
		h1.focus({preventScroll: false});
	}
}

window.addEventListener('hashchange', () => render());
window.addEventListener('kj-unauthenticated', () => {
	if (!state.session)
		return;
	setSession(null);
	toast(t('error.session'), 'error');
	render();
});

async function boot() {
	initLang();
	try {
		setSession(await api.me());
	} catch (e) {
		if (!(e instanceof ApiError))
			throw e;
		setSession(null);
	}
	renderChrome();
	await render();
}

boot();
