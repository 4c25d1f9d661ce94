// accounts.mjs - the security team manages console accounts: adds a
// staff member and an approver (whose pending second factor is shown
// once as QR code and key; confirmed here with a code from that key, the
// approver then logs in), locks the staff member (who is then refused)
// and unlocks them again; locking them once more ends their open session,
// which their page notices.  An approver sees the accounts of the
// department without the controls.

import {run, check, PASSWORD} from './lib.mjs';

run('accounts', async (env) => {
	env.addAccount('kanri', 'secadmin', '情報政策課', ['--name', '鈴木 次郎']);
	const page = await env.newPage('kanri');
	await env.login(page, 'kanri');
	await page.getByRole('link', {name: '職員アカウント'}).click();
	await page.getByRole('heading', {name: '職員アカウント'}).waitFor();

	const add = async (login, name, role, dept) => {
		const f = page.getByTestId('account-add');
		await f.getByLabel('ログイン名').fill(login);
		await f.getByLabel('氏名').fill(name);
		await f.getByLabel('役割').selectOption(role);
		await f.getByLabel('所属').fill(dept);
		await f.getByLabel('初期パスワード').fill(PASSWORD);
		const answered = page.waitForResponse((r) => r.url().endsWith('/api/accounts') &&
			r.request().method() === 'POST');
		await f.getByRole('button', {name: '追加する'}).click();
		check((await answered).status() === 201, `${login} added`);
		await page.getByRole('cell', {name: login, exact: true}).waitFor();
	};
	await add('suzuki', '鈴木 花', 'staff', '総務課');
	check(await page.locator('.secret-box').count() === 0, 'no second factor for staff');
	await add('ito', '伊藤 学', 'approver', '総務課');
	const box = page.locator('.secret-box');
	await box.getByRole('heading', {name: 'ito の二要素認証の登録'}).waitFor();
	check(await box.locator('svg path').count() === 1, 'QR code shown');
	const secret = (await box.locator('.secret').textContent()).replace(/\s+/g, '');
	await env.screenshot(page, 'accounts');
	env.confirmTotp('ito', secret);
	env.secrets.ito = secret;

	// Lock: the staff member cannot log in; unlock: they can.
	const row = page.locator('tbody tr', {hasText: 'suzuki'});
	await row.getByRole('button', {name: 'ロック', exact: true}).click();
	await row.getByText('ロック中').waitFor();
	const st = await env.newPage('suzuki');
	await st.goto('/');
	await st.getByLabel('ログイン名').fill('suzuki');
	await st.getByLabel('パスワード', {exact: true}).fill(PASSWORD);
	await st.getByRole('button', {name: 'ログイン'}).click();
	await st.getByText(/アカウントがロックされています。/).waitFor();
	await page.locator('tbody tr', {hasText: 'suzuki'}).getByRole('button', {name: 'ロック解除'}).click();
	await page.locator('tbody tr', {hasText: 'suzuki'}).getByText('有効').waitFor();
	await env.login(st, 'suzuki');

	// Locking ends the sessions: the open page notices at its next request
	// and shows the login again.
	await page.locator('tbody tr', {hasText: 'suzuki'}).getByRole('button', {name: 'ロック', exact: true}).click();
	await page.locator('tbody tr', {hasText: 'suzuki'}).getByText('ロック中').waitFor();
	await st.getByRole('link', {name: 'ファイル受け渡し'}).click();
	await st.getByText('セッションが終了しました。もう一度ログインしてください。').first().waitFor();
	await st.getByRole('heading', {name: 'ログイン'}).waitFor();

	// The new approver logs in with the code of the scanned key, and sees
	// the department's accounts without the controls.
	const ap = await env.newPage('ito');
	await env.login(ap, 'ito');
	await ap.getByRole('link', {name: '職員アカウント'}).click();
	await ap.getByRole('cell', {name: 'suzuki', exact: true}).waitFor();
	check(await ap.getByTestId('account-add').count() === 0, 'no add form for an approver');
	check(await ap.getByRole('button', {name: 'ロック', exact: true}).count() === 0, 'no lock for an approver');
	const list = env.kyojinJson(['account', 'list']).accounts;
	check(list.find((a) => a.login === 'ito').totp_enabled === true, 'ito has a second factor');
});
