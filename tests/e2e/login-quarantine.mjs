// login-quarantine.mjs - a staff member logs in, enrols a second factor
// (TOTP: QR code and key shown, confirmed with a code computed here from
// the key), sees the mail held and stripped for the department with the
// notice and the attachment list, and cannot see another department's
// mail; an approver logs in with password and one-time code; the page
// switches to English.

import path from 'node:path';
import {run, check, totp, makeMail, SOURCE_ROOT, PASSWORD} from './lib.mjs';

const mails = path.join(SOURCE_ROOT, 'examples', 'mail');

run('login-quarantine', async (env) => {
	// 03: a docx, a PDF and a zip stripped; 04: a PPAP zip, held.
	const stripped = env.sanitize(path.join(mails, '03-attachments.eml'));
	const held = env.sanitize(path.join(mails, '04-ppap-encrypted-zip.eml'));
	env.addAccount('tanaka', 'staff', '総務課', ['--email', 'soumu@city.example.lg.jp',
		'--name', '田中 花子']);
	env.addAccount('kato', 'staff', '税務課', ['--email', 'zeimu@city.example.lg.jp',
		'--name', '加藤 三郎']);
	env.addAccount('sato', 'approver', '総務課', ['--name', '佐藤 一郎']);

	// Wrong password: an error in the form, no session.
	const page = await env.newPage('tanaka');
	await page.goto('/');
	await page.getByLabel('ログイン名').fill('tanaka');
	await page.getByLabel('パスワード', {exact: true}).fill('not-the-password');
	await env.screenshot(page, 'login');
	await page.getByRole('button', {name: 'ログイン'}).click();
	await page.getByText('ログイン名、パスワードまたは確認コードが違います。').waitFor();

	await env.login(page, 'tanaka');
	// The quarantine list: both mails, the held one with its reason.
	await page.getByRole('heading', {name: '隔離メール'}).waitFor();
	const rows = page.locator('table.data tbody tr');
	check(await rows.count() === 2, `two quarantined mails listed, got ${await rows.count()}`);
	await page.getByText('【送付】契約書').waitFor();
	await page.getByText(/password-protected zip archive/).first().waitFor();
	await env.screenshot(page, 'quarantine-list');

	// Markup from outside is text, never markup.
	const evilSubject = '<img src=x onerror="window.kjPwned=1">請求書';
	const evil = env.sanitize(env.writeMail('evil.eml', makeMail('soumu@city.example.lg.jp',
		evilSubject, '請求書を送付します。', [['請求書.pdf', Buffer.from('%PDF-1.4\n%%EOF\n')]])));
	await page.reload();
	await page.getByRole('link', {name: evilSubject}).click();
	await page.getByRole('heading', {name: evilSubject}).waitFor();
	await page.getByRole('cell', {name: '請求書.pdf'}).waitFor();
	check(await page.locator('main img, main script').count() === 0, 'no element made from the mail');
	check(await page.evaluate(() => window.kjPwned === undefined), 'nothing from the mail ran');
	check(evil.startsWith('Q-'), 'quarantined');
	await page.goto('/#/mail');
	await page.getByRole('heading', {name: '隔離メール'}).waitFor();

	// Filter: held only.
	await page.getByLabel('判定').selectOption('held');
	await page.getByRole('button', {name: '検索'}).click();
	await page.waitForURL(/verdict=held/);
	await page.locator('table.data tbody tr').nth(1).waitFor({state: 'detached'});
	check(await page.locator('table.data tbody tr').count() === 1, 'one held mail');
	await page.getByText('【送付】契約書').waitFor();

	// One mail: notice, attachments with the declared/detected type.
	await page.goto(`/#/mail/${stripped}`);
	await page.getByRole('heading', {name: '会議資料の送付'}).waitFor();
	await page.getByRole('heading', {name: 'このメールは無害化されました'}).waitFor();
	const atts = page.locator('table.data tbody tr');
	check(await atts.count() === 3, 'three attachments listed');
	await page.getByRole('cell', {name: '議事録.docx'}).waitFor();
	await page.getByRole('cell', {name: '名簿.zip'}).waitFor();
	await page.getByText('（申告: application/vnd.openxmlformats-officedocument.wordprocessingml.document）').waitFor();
	check(await page.getByRole('button', {name: '取り出しを依頼'}).count() === 3,
		'each attachment can be asked for');
	await env.screenshot(page, 'quarantine-mail');

	// The held PPAP mail offers the password form instead.
	await page.goto(`/#/mail/${held}`);
	await page.getByRole('heading', {name: 'このメールは保留されています'}).waitFor();
	await page.getByRole('button', {name: 'パスワードを入力して開く'}).waitFor();

	// Another department's staff: the list is empty, the id is not found.
	const other = await env.newPage('kato');
	await env.login(other, 'kato');
	await other.getByText('該当するメールはありません。').waitFor();
	await other.goto(`/#/mail/${stripped}`);
	await other.getByText('見つかりません（存在しないか、閲覧できる範囲の外です）。').waitFor();

	// TOTP enrolment from the account page.
	await page.getByRole('link', {name: 'アカウント'}).click();
	await page.getByRole('heading', {name: 'アカウント'}).waitFor();
	const enrol = page.getByTestId('totp-enrol');
	await enrol.getByLabel('現在のパスワード').fill(PASSWORD);
	await enrol.getByRole('button', {name: '設定を始める'}).click();
	const secretEl = page.getByTestId('totp-secret');
	await secretEl.waitFor();
	check(await page.locator('.qr svg path').count() === 1, 'QR code drawn');
	const secret = (await secretEl.textContent()).replace(/\s+/g, '');
	check(/^[A-Z2-7]{16,}$/.test(secret), `secret shown as base32: ${secret}`);
	await env.screenshot(page, 'account-totp');
	// The current step's code confirms (used up: no login with it); the
	// login below takes the next step's, which the server's window of one
	// step accepts: neither depends on where in its 30 s the clock is.
	await page.getByLabel('認証アプリに表示された確認コード').fill(totp(secret, 0));
	await page.getByRole('button', {name: '確認して有効にする'}).click();
	await page.getByText('二要素認証を有効にしました。').first().waitFor();
	env.secrets.tanaka = secret;

	// Log out; logging in again now asks for the code.  This time with
	// the keyboard only: Tab from the heading, Enter to send.
	await page.getByRole('button', {name: 'ログアウト'}).click();
	await page.getByRole('heading', {name: 'ログイン'}).waitFor();
	await page.keyboard.press('Tab');
	await page.keyboard.type('tanaka');
	await page.keyboard.press('Tab');
	await page.keyboard.type(PASSWORD);
	await page.keyboard.press('Enter');
	await page.getByText('認証アプリの確認コードを入力してください。').waitFor();
	check(await page.evaluate(() => document.activeElement.name) === 'totp', 'the code field has the focus');
	await page.keyboard.type(totp(secret, 1));
	await page.keyboard.press('Enter');
	await page.getByRole('heading', {name: '隔離メール'}).waitFor();
	await page.getByTestId('who').getByText('田中 花子').waitFor();

	// An approver: password and code, then English.
	const ap = await env.newPage('sato');
	await env.login(ap, 'sato');
	await ap.getByRole('link', {name: '承認待ち'}).waitFor();
	await ap.getByRole('button', {name: 'English'}).click();
	await ap.getByRole('heading', {name: 'Quarantined mail'}).waitFor();
	check(await ap.evaluate(() => document.documentElement.lang) === 'en', 'lang="en"');
	await ap.getByRole('button', {name: '日本語'}).click();
	await ap.getByRole('heading', {name: '隔離メール'}).waitFor();
});
