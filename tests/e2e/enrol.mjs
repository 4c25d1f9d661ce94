// enrol.mjs - the first login of a security administrator whose second
// factor is still pending: the right password shows the pending secret as
// a QR code and as text (no session yet); a wrong code is refused; the
// code from the app enables the second factor and logs in; the next login
// asks for a code as usual.

import {run, check, totp, PASSWORD} from './lib.mjs';

run('enrol', async (env) => {
	// Added without confirming the secret: the person does it in the browser.
	const r = env.kyojinJson(['account', 'add', 'kato', '--role', 'secadmin', '--department',
		'情報政策課', '--password-stdin'], `${PASSWORD}\n`);
	check(typeof r.totp_secret === 'string' && r.totp_secret.length >= 16, 'a pending secret');
	const page = await env.newPage('kato');
	await page.goto('/');
	await page.getByLabel('ログイン名').fill('kato');
	await page.getByLabel('パスワード', {exact: true}).fill(PASSWORD);
	await page.getByRole('button', {name: 'ログイン'}).click();
	await page.getByRole('heading', {name: '二要素認証の設定（初回ログイン）'}).waitFor();
	check(await page.locator('.qr svg path').count() === 1, 'QR code shown');
	const shown = (await page.getByTestId('enrol-secret').textContent()).replace(/\s+/g, '');
	check(shown === r.totp_secret, 'the pending secret shown as text');
	const me = await page.evaluate(async () => (await fetch('/api/auth/me')).status);
	check(me === 401, `no session before the code (${me})`);
	await env.screenshot(page, 'login-enrol');

	// A wrong code: refused, the screen stays.
	const code = page.getByLabel('認証アプリに表示された確認コード');
	const wrong = totp(r.totp_secret, 10);
	await code.fill(wrong);
	await page.getByRole('button', {name: '確認してログイン'}).click();
	await page.getByText('ログイン名、パスワードまたは確認コードが違います。').waitFor();
	check(env.kyojinJson(['account', 'list']).accounts.find((a) => a.login === 'kato')
		.totp_enabled === false, 'not enabled by a wrong code');

	// The right one: enabled and logged in.
	await code.fill(totp(r.totp_secret, 0));
	await page.getByRole('button', {name: '確認してログイン'}).click();
	await page.getByTestId('who').waitFor();
	check(env.kyojinJson(['account', 'list']).accounts.find((a) => a.login === 'kato')
		.totp_enabled === true, 'kato has a second factor');
	const audit = env.kyojinJson(['audit', 'show']);
	const recs = Array.isArray(audit) ? audit : (audit.records || []);
	check(recs.some((x) => x.action === 'account.totp_enable' && x.object === 'kato'),
		'the activation audited');

	// The next login asks for a code (of the next step: the enrolment's is spent).
	env.secrets.kato = r.totp_secret;
	const again = await env.newPage('kato-again');
	await env.login(again, 'kato', {step: 1});
});
