// lib.mjs - what every end-to-end test of the web console shares.
//
// Each test prepares its own data directory through the real CLI
// (kyojin mail sanitize, kyojin account add, ...), starts its own
// kyojin-console on 127.0.0.1 with a port the kernel picks (read from
// --ready-file), drives Debian's Chromium through playwright-core, and
// stops everything at the end.  Nothing here sleeps for a fixed time:
// the console's start is a bounded poll of its ready file, and the
// browser side waits for elements and responses (Playwright's waiting).
//
// Environment (set by tests/e2e/meson.build): KYOJIN, KYOJIN_CONSOLE,
// KJ_SOURCE_ROOT, KJ_BUILD_ROOT; KJ_CHROMIUM overrides /usr/bin/chromium;
// KJ_SCREENSHOTS=DIR saves the main screens there (docs/img).

import {spawn, execFileSync} from 'node:child_process';
import {createHmac} from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {chromium} from 'playwright-core';

export const SOURCE_ROOT = process.env.KJ_SOURCE_ROOT ||
	path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const KYOJIN = process.env.KYOJIN;
const KYOJIN_CONSOLE = process.env.KYOJIN_CONSOLE;
const CHROMIUM = process.env.KJ_CHROMIUM || '/usr/bin/chromium';
export const PASSWORD = 'tsuyoi-pass-2026';

export function fail(msg) {
	throw new Error(msg);
}

export function check(cond, msg) {
	if (!cond)
		fail(`check failed: ${msg}`);
}

// RFC 4648 base32 (the TOTP secret as the CLI prints it).
function base32(s) {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
	let bits = 0;
	let value = 0;
	const out = [];
	for (const ch of s.replace(/=+$/, '').toUpperCase()) {
		const v = alphabet.indexOf(ch);
		if (v < 0)
			fail(`bad base32 character in TOTP secret: ${ch}`);
		value = (value << 5) | v;
		bits += 5;
		if (bits >= 8) {
			out.push((value >>> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(out);
}

// RFC 6238 TOTP (SHA-1, 30 s, 6 digits) of the 30-second step
// `stepOffset` steps from now.
export function totp(secret, stepOffset = 0) {
	const step = Math.floor(Date.now() / 1000 / 30) + stepOffset;
	const msg = Buffer.alloc(8);
	msg.writeBigUInt64BE(BigInt(step));
	const mac = createHmac('sha1', base32(secret)).update(msg).digest();
	const off = mac[mac.length - 1] & 0x0f;
	const bin = ((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3];
	return String(bin % 1000000).padStart(6, '0');
}

export const CORPUS = process.env.KJ_CORPUS || path.join(SOURCE_ROOT, '..', 'shared', 'corpus');

// A mail from outside to an address of the city with the attachments
// given as [filename, bytes]: MIME built here, so that a test can carry
// any file of the shared corpus without copying it into the repository.
export function makeMail(to, subject, text, attachments) {
	const b64 = (buf) => buf.toString('base64').replace(/.{76}/g, '$&\n');
	const enc = (s) => `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=`;
	const lines = [
		`From: ${enc('山田 太郎')} <yamada@example.co.jp>`,
		`To: ${to}`,
		`Subject: ${enc(subject)}`,
		'Date: Wed, 01 Apr 2026 09:30:00 +0900',
		`Message-ID: <${Date.now()}.${Math.random().toString(36).slice(2)}@example.co.jp>`,
		'MIME-Version: 1.0',
		'Content-Type: multipart/mixed; boundary="kj-e2e"',
		'',
		'--kj-e2e',
		'Content-Type: text/plain; charset=UTF-8',
		'Content-Transfer-Encoding: base64',
		'',
		b64(Buffer.from(text)),
	];
	for (const [name, bytes] of attachments) {
		const star = [...Buffer.from(name)].map((c) => `%${c.toString(16).toUpperCase().padStart(2, '0')}`).join('');
		lines.push('--kj-e2e', `Content-Type: application/octet-stream; name="${enc(name)}"`,
			`Content-Disposition: attachment; filename*=UTF-8''${star}`,
			'Content-Transfer-Encoding: base64', '', b64(bytes));
	}
	lines.push('--kj-e2e--', '');
	return lines.join('\n');
}

export class Env {
	constructor(name) {
		check(KYOJIN && KYOJIN_CONSOLE, 'KYOJIN and KYOJIN_CONSOLE must name the binaries');
		const base = process.env.KJ_BUILD_ROOT
			? path.join(process.env.KJ_BUILD_ROOT, 'tests', 'e2e-work') : os.tmpdir();
		fs.mkdirSync(base, {recursive: true});
		this.dir = fs.mkdtempSync(path.join(base, `${name}-`));
		this.dataDir = path.join(this.dir, 'data');
		fs.mkdirSync(this.dataDir, {recursive: true});
		this.name = name;
		this.proc = null;
		this.browser = null;
		this.problems = [];
		this.secrets = {};
	}

	// Runs the CLI on this test's data directory; returns stdout.  Exit
	// codes in okCodes (besides 0) are expected outcomes, e.g. 1 for a
	// report with findings.
	kyojin(args, input, okCodes = []) {
		try {
			return execFileSync(KYOJIN, ['--data-dir', this.dataDir, ...args], {
				input: input === undefined ? '' : input, encoding: 'utf8',
				stdio: ['pipe', 'pipe', 'pipe'], env: process.env,
			});
		} catch (e) {
			if (okCodes.includes(e.status))
				return e.stdout;
			fail(`kyojin ${args.join(' ')}: exit ${e.status}\n${e.stdout || ''}${e.stderr || ''}`);
		}
		return '';
	}

	kyojinJson(args, input, okCodes = []) {
		return JSON.parse(this.kyojin(['--json', ...args], input, okCodes));
	}

	// kyojin mail sanitize of a message: its original goes into this
	// data directory's quarantine.  Returns the quarantine id.
	sanitize(file) {
		const out = path.join(this.dir, `${path.basename(file)}.out`);
		// Exit 1 = held, which is what some tests want.
		let text;
		try {
			text = execFileSync(KYOJIN, ['--data-dir', this.dataDir, '--json', 'mail', 'sanitize',
				file, '-o', out], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']});
		} catch (e) {
			if (e.status !== 1)
				fail(`mail sanitize ${file}: exit ${e.status}\n${e.stderr}`);
			text = e.stdout;
		}
		const r = JSON.parse(text);
		check(r.quarantine_id, `no quarantine id for ${file}`);
		return r.quarantine_id;
	}

	// Writes a mail made by makeMail into the test's directory.
	writeMail(name, text) {
		const p = path.join(this.dir, name);
		fs.writeFileSync(p, text);
		return p;
	}

	// An account; approvers and administrators get their TOTP secret
	// confirmed here with a code of the previous 30-second step, so that
	// the current step's code is still unused for the browser's login.
	addAccount(login, role, department, extra = []) {
		const r = this.kyojinJson(['account', 'add', login, '--role', role, '--department', department,
			'--password-stdin', ...extra], `${PASSWORD}\n`);
		if (r.totp_secret) {
			this.secrets[login] = r.totp_secret;
			this.confirmTotp(login, r.totp_secret);
		}
		return r;
	}

	// Confirms a pending TOTP secret with the code of the previous step.
	// A step boundary passed between computing the code and the server's
	// check makes it two steps old: the code is computed again, once.
	confirmTotp(login, secret) {
		for (let attempt = 0; ; attempt++) {
			try {
				execFileSync(KYOJIN, ['--data-dir', this.dataDir, 'account', 'totp', login,
					'--confirm', totp(secret, -1)], {stdio: ['ignore', 'pipe', 'pipe']});
				return;
			} catch (e) {
				if (attempt >= 1)
					fail(`account totp ${login} --confirm: exit ${e.status}\n${e.stderr}`);
			}
		}
	}

	async start() {
		const ready = path.join(this.dir, 'ready');
		const log = fs.openSync(path.join(this.dir, 'console.log'), 'w');
		this.proc = spawn(KYOJIN_CONSOLE, ['--data-dir', this.dataDir, '--listen', '127.0.0.1:0',
			'--www-dir', path.join(SOURCE_ROOT, 'www'), '--ready-file', ready],
		{stdio: ['ignore', log, log], env: process.env});
		let exited = null;
		this.proc.on('exit', (code, sig) => { exited = {code, sig}; });
		// Bounded poll of the ready file (the console writes it atomically
		// once it listens); no fixed sleep.
		const deadline = Date.now() + 60000;
		while (!fs.existsSync(ready)) {
			if (exited)
				fail(`kyojin-console exited at start (${JSON.stringify(exited)}):\n${this.consoleLog()}`);
			if (Date.now() > deadline)
				fail(`kyojin-console did not become ready in 60 s:\n${this.consoleLog()}`);
			await new Promise((r) => setTimeout(r, 25));
		}
		this.port = Number(fs.readFileSync(ready, 'utf8').trim());
		this.url = `http://127.0.0.1:${this.port}`;
		this.browser = await chromium.launch({
			executablePath: CHROMIUM,
			// Chromium refuses its sandbox as root (CI runs as root).
			args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
		});
		return this;
	}

	consoleLog() {
		try {
			return fs.readFileSync(path.join(this.dir, 'console.log'), 'utf8');
		} catch {
			return '';
		}
	}

	// A browser context of its own (its own cookie jar) for one person,
	// with every console message of level error, page error and CSP
	// violation recorded as a problem that fails the test.
	async newPage(label = 'page') {
		const context = await this.browser.newContext({
			baseURL: this.url, locale: 'ja-JP', timezoneId: 'Asia/Tokyo', acceptDownloads: true,
			viewport: {width: 1280, height: 860},
		});
		// Generous: an ASan console sanitizing on a loaded two-core machine
		// once took over 20 s for an upload; success never waits for it.
		context.setDefaultTimeout(60000);
		const page = await context.newPage();
		page.on('pageerror', (e) => this.problems.push(`${label}: page error: ${e.message}`));
		page.on('response', (r) => {
			if (r.status() >= 500)
				this.problems.push(`${label}: ${r.status()} from ${r.request().method()} ${r.url()}`);
		});
		page.on('console', (m) => {
			if (m.type() === 'error' && !/status of 4\d\d/.test(m.text()))
				this.problems.push(`${label}: console error: ${m.text()}`);
		});
		return page;
	}

	async login(page, login, opts = {}) {
		await page.goto('/');
		await page.getByLabel('ログイン名').fill(login);
		await page.getByLabel('パスワード', {exact: true}).fill(opts.password || PASSWORD);
		await page.getByRole('button', {name: 'ログイン'}).click();
		if (this.secrets[login]) {
			const code = page.getByLabel('確認コード（6桁）');
			await code.waitFor();
			await code.fill(totp(this.secrets[login], opts.step || 0));
			await page.getByRole('button', {name: 'ログイン'}).click();
		}
		await page.getByTestId('who').waitFor();
	}

	// At each main screen: the accessibility basics are checked (one h1;
	// every form control has a label; every button and link has a name;
	// the page's language is set), then, with KJ_SCREENSHOTS, the screen
	// is saved.  fullPage false: only the first screen (long lists would
	// make a picture of several megabytes).
	async screenshot(page, name, fullPage = true) {
		const issues = await page.evaluate(() => {
			const out = [];
			const main = document.getElementById('main');
			if (main.querySelectorAll('h1').length !== 1)
				out.push(`${main.querySelectorAll('h1').length} h1 elements`);
			if (!['ja', 'en'].includes(document.documentElement.lang))
				out.push('no page language');
			for (const el of document.querySelectorAll('input, select, textarea')) {
				if (el.type === 'hidden' || el.hidden)
					continue;
				const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') ||
					el.getAttribute('aria-labelledby') ||
					(el.type === 'radio' && el.closest('label'));
				if (!named)
					out.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
			}
			for (const el of document.querySelectorAll('button, a[href]'))
				if (!el.textContent.trim() && !el.getAttribute('aria-label'))
					out.push(`${el.tagName.toLowerCase()} without a name`);
			return out;
		});
		check(issues.length === 0, `accessibility of ${name}: ${issues.join('; ')}`);
		const dir = process.env.KJ_SCREENSHOTS;
		if (!dir)
			return;
		fs.mkdirSync(dir, {recursive: true});
		// Transient messages would cover the screen.
		await page.evaluate(() => document.getElementById('toasts').replaceChildren());
		await page.screenshot({path: path.join(dir, `${name}.png`), fullPage});
	}

	async stop() {
		if (this.browser)
			await this.browser.close();
		if (this.proc && this.proc.exitCode === null) {
			const done = new Promise((r) => this.proc.on('exit', (code, sig) => r({code, sig})));
			this.proc.kill('SIGTERM');
			const {code, sig} = await done;
			if (code !== 0)
				this.problems.push(`kyojin-console exited with ${code ?? sig}:\n${this.consoleLog()}`);
		}
	}
}

// Runs one scenario: prints "ok NAME" or the failure, exit 0 / 1.
export async function run(name, fn) {
	const env = new Env(name);
	let rc = 0;
	try {
		await env.start();
		await fn(env);
	} catch (e) {
		rc = 1;
		console.error(`FAIL ${name}: ${e.stack || e}`);
		console.error(`--- console log ---\n${env.consoleLog()}`);
	}
	try {
		await env.stop();
	} catch (e) {
		rc = 1;
		console.error(`FAIL ${name} at stop: ${e.stack || e}`);
	}
	if (env.problems.length) {
		rc = 1;
		console.error(`FAIL ${name}: problems in the page:\n${env.problems.join('\n')}`);
	}
	if (rc === 0) {
		console.log(`ok ${name}`);
		fs.rmSync(env.dir, {recursive: true, force: true});
	} else {
		console.error(`work directory kept: ${env.dir}`);
	}
	process.exit(rc);
}
