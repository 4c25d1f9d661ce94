// api.js - every call the front end makes to kyojin-console's JSON API.
//
// One place for paths and shapes (docs/en/console.md is the reference):
// views call these functions and never build URLs themselves.  The
// session cookie is HttpOnly and handled by the browser; the CSRF token
// the server hands out at login (and in GET /api/auth/me) goes with
// every state-changing request in X-CSRF-Token.

export class ApiError extends Error {
	constructor(status, code, message, details) {
		super(message || code || `HTTP ${status}`);
		this.status = status;
		this.code = code || `http_${status}`;
		this.details = details;
	}
}

let csrfToken = null;

export function setCsrf(token) {
	csrfToken = token || null;
}

function query(params) {
	if (!params)
		return '';
	const q = new URLSearchParams();
	for (const [k, v] of Object.entries(params))
		if (v !== null && v !== undefined && v !== '')
			q.set(k, String(v));
	const s = q.toString();
	return s ? `?${s}` : '';
}

const seg = encodeURIComponent;

// The file name of a download, from Content-Disposition (RFC 6266).
function dispositionName(header) {
	if (!header)
		return null;
	const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
	if (star) {
		try {
			return decodeURIComponent(star[1].trim());
		} catch {
			/* fall through to the plain name */
		}
	}
	const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) || /filename\s*=\s*([^;]+)/i.exec(header);
	return plain ? plain[1].trim() : null;
}

async function request(method, path, opts = {}) {
	const headers = {Accept: 'application/json'};
	let body;
	if (opts.json !== undefined) {
		headers['Content-Type'] = 'application/json';
		body = JSON.stringify(opts.json);
	} else if (opts.file !== undefined) {
		headers['Content-Type'] = 'application/octet-stream';
		body = opts.file;
	}
	if (method !== 'GET' && method !== 'HEAD' && csrfToken)
		headers['X-CSRF-Token'] = csrfToken;
	let resp;
	try {
		resp = await fetch(path + query(opts.query), {
			method, headers, body, credentials: 'same-origin', cache: 'no-store',
			redirect: 'error',
		});
	} catch (e) {
		throw new ApiError(0, 'network', e.message);
	}
	const type = resp.headers.get('Content-Type') || '';
	if (!resp.ok) {
		let err = null;
		if (type.startsWith('application/json')) {
			try {
				err = (await resp.json()).error;
			} catch {
				err = null;
			}
		}
		const e = new ApiError(resp.status, err && err.code, err && err.message, err);
		if (resp.status === 401 && !opts.quiet401)
			window.dispatchEvent(new CustomEvent('kj-unauthenticated', {detail: e}));
		throw e;
	}
	if (opts.download) {
		const blob = await resp.blob();
		return {blob, filename: dispositionName(resp.headers.get('Content-Disposition')),
			type};
	}
	if (type.startsWith('application/json'))
		return resp.json();
	return null;
}

const get = (path, q, opts) => request('GET', path, {...opts, query: q});
const post = (path, json, opts) => request('POST', path, {...opts, json: json || {}});

// Saves a downloaded file: an object URL clicked as a link with the
// server's file name, then revoked.
export function saveBlob(result, fallbackName) {
	const url = URL.createObjectURL(result.blob);
	const a = document.createElement('a');
	a.href = url;
	a.download = result.filename || fallbackName || 'download';
	a.hidden = true;
	document.body.append(a);
	a.click();
	a.remove();
	setTimeout(() => URL.revokeObjectURL(url), 60000);
}

export const api = {
	// Accounts and sessions.
	login: (login, password, totp) =>
		post('/api/auth/login', {login, password, ...(totp ? {totp} : {})}, {quiet401: true}),
	// First login with a pending second factor: the enrolment token of
	// the login's 403 totp_enrolment_required and a code from the secret.
	loginEnrol: (token, code) =>
		post('/api/auth/login/enrol', {enrolment_token: token, code}, {quiet401: true}),
	logout: () => post('/api/auth/logout'),
	me: () => get('/api/auth/me', null, {quiet401: true}),
	changePassword: (current, next) =>
		post('/api/auth/password', {current_password: current, new_password: next}),
	totpEnrol: (password) => post('/api/auth/totp/enrol', {password}),
	totpConfirm: (code) => post('/api/auth/totp/confirm', {code}),

	// Accounts (account.read; changes need account.admin).
	accounts: (q) => get('/api/accounts', q),
	// body: {login, display_name?, role, department, email?, password}
	accountAdd: (body) => post('/api/accounts', body),
	accountLock: (login) => post(`/api/accounts/${seg(login)}/lock`),
	accountUnlock: (login) => post(`/api/accounts/${seg(login)}/unlock`),
	accountPassword: (login, password) => post(`/api/accounts/${seg(login)}/password`, {password}),
	accountTotpReset: (login) => post(`/api/accounts/${seg(login)}/totp-reset`),

	// Quarantined mail.
	mailList: (q) => get('/api/mail', q),
	mail: (id) => get(`/api/mail/${seg(id)}`),

	// Release requests: ask, approve (twice for an original), download.
	// body: {quarantine_id, attachment_index, kind: 'sanitized'|'original', reason}
	releaseRequest: (body) => post('/api/releases', body),
	releaseList: (q) => get('/api/releases', q),
	release: (id) => get(`/api/releases/${seg(id)}`),
	releaseApprove: (id, comment) => post(`/api/releases/${seg(id)}/approve`, {comment}),
	releaseRefuse: (id, comment) => post(`/api/releases/${seg(id)}/refuse`, {comment}),
	releaseDownload: (id) => request('GET', `/api/releases/${seg(id)}/download`, {download: true}),
	// PPAP: the archive's password goes to the server once, for this request only.
	// body: {quarantine_id, attachment_index, password, reason}
	ppapOpen: (body) => post('/api/ppap/open', body),

	// File exchange between segments.
	exchangeList: (q) => get('/api/exchange', q),
	exchange: (id) => get(`/api/exchange/${seg(id)}`),
	// params: {name, direction: 'inbound'|'outbound', recipient, note}
	exchangeUpload: (file, params) =>
		request('POST', '/api/exchange', {file, query: params}),
	exchangeApprove: (id, comment) => post(`/api/exchange/${seg(id)}/approve`, {comment}),
	exchangeRefuse: (id, comment) => post(`/api/exchange/${seg(id)}/refuse`, {comment}),
	exchangeDownload: (id) =>
		request('GET', `/api/exchange/${seg(id)}/download`, {download: true}),

	notifications: (q) => get('/api/notifications', q),

	// Governance ledger: every register through the same routes.
	registers: () => get('/api/ledger/registers'),
	// q: key or first text column contains; where+value: a column's stored value.
	records: (noun, q) => get(`/api/ledger/${seg(noun)}`, q),
	record: (noun, key) => get(`/api/ledger/${seg(noun)}/${seg(key)}`),
	recordAdd: (noun, key, values) => post(`/api/ledger/${seg(noun)}`, {key, values}),
	recordSet: (noun, key, values, version) =>
		post(`/api/ledger/${seg(noun)}/${seg(key)}`, {values, version}),
	riskHeatmap: (which) => get('/api/risk/heatmap', {which}),
	due: (horizonDays) => get('/api/due', {horizon_days: horizonDays}),
	findings: () => get('/api/findings'),
	inspection: (key) => get(`/api/inspections/${seg(key)}`),
	inspectionForm: (key, dept) => get(`/api/inspections/${seg(key)}/departments/${seg(dept)}`),
	// body: {department, item, result, evidence}
	inspectionAnswer: (key, body) => post(`/api/inspections/${seg(key)}/answer`, body),

	// Gateway and audit trail.
	gatewaySummary: () => get('/api/gateway/summary'),
	gatewayQueue: (q) => get('/api/gateway/queue', q),
	auditList: (q) => get('/api/audit', q),
	auditVerify: () => get('/api/audit/verify'),
	auditExport: () => request('GET', '/api/audit/export', {download: true}),
};
