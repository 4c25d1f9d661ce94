// ppap.mjs - a password-protected archive (PPAP) opened with its
// password: a mail carrying a ZipCrypto archive of the shared corpus
// (recursive-extractor's TestDataEncryptedZipCrypto.zip, password
// "TestData") is held; the recipient types a wrong password (the archive
// does not open and nothing is requested), then the right one; the
// request is approved and the opened, sanitized archive downloaded.
// Afterwards the wrong password is nowhere in the data directory (store,
// database, audit log) or the console's log, and the right one appears
// in none as a value (the archive's own members are named TestData/...).

import fs from 'node:fs';
import path from 'node:path';
import {run, check, makeMail, CORPUS} from './lib.mjs';

const ARCHIVE = path.join(CORPUS, 'archives', 'recursive-extractor', 'TestDataEncryptedZipCrypto.zip');
const RIGHT = 'TestData';
const WRONG = 'wrong-Pa55word';

function filesUnder(dir) {
	const out = [];
	for (const e of fs.readdirSync(dir, {withFileTypes: true})) {
		const p = path.join(dir, e.name);
		if (e.isDirectory())
			out.push(...filesUnder(p));
		else if (e.isFile())
			out.push(p);
	}
	return out;
}

async function open(page, password) {
	const f = page.getByTestId('ppap-1');
	await f.getByLabel('パスワード', {exact: true}).fill(password);
	await f.getByLabel('理由').fill('契約書の確認のため');
	const answered = page.waitForResponse((r) => r.url().endsWith('/api/ppap/open'));
	await f.getByRole('button', {name: '開いて依頼する'}).click();
	const resp = await answered;
	if (resp.status() !== 201) /* on success the form is gone */
		check(await f.getByLabel('パスワード', {exact: true}).inputValue() === '',
			'the password field is cleared once sent');
	return resp;
}

run('ppap', async (env) => {
	const mail = makeMail('soumu@city.example.lg.jp', '【送付】契約書',
		'契約書をお送りします。パスワードは別メールでお送りします。',
		[['契約書.zip', fs.readFileSync(ARCHIVE)]]);
	const qid = env.sanitize(env.writeMail('ppap.eml', mail));
	env.addAccount('tanaka', 'staff', '総務課', ['--email', 'soumu@city.example.lg.jp',
		'--name', '田中 花子']);
	env.addAccount('sato', 'approver', '総務課', ['--name', '佐藤 一郎']);

	const staff = await env.newPage('tanaka');
	await env.login(staff, 'tanaka');
	await staff.goto(`/#/mail/${qid}`);
	await staff.getByRole('heading', {name: 'このメールは保留されています'}).waitFor();
	await staff.getByText(/password-protected/).first().waitFor();
	await staff.getByRole('button', {name: 'パスワードを入力して開く'}).click();
	await staff.getByRole('heading', {name: '「契約書.zip」をパスワードで開く'}).waitFor();
	await staff.getByText('パスワードは開くためだけに使い、保存も記録もしません。').waitFor();

	const bad = await open(staff, WRONG);
	check(bad.status() === 422, `wrong password answered ${bad.status()}`);
	await staff.getByText(/パスワードが違うため、開けませんでした。/).waitFor();
	await env.screenshot(staff, 'ppap');

	const good = await open(staff, RIGHT);
	check(good.status() === 201, `right password answered ${good.status()}`);
	const req = await good.json();
	check(req.kind === 'ppap' && req.state === 'requested', `ppap request ${req.kind} ${req.state}`);
	const row = staff.locator('.requests tbody tr', {hasText: '契約書'});
	await row.getByText('承認待ち').waitFor();
	check(await staff.locator('.requests tbody tr').count() === 1, 'one request (the wrong password made none)');

	const ap = await env.newPage('sato');
	await env.login(ap, 'sato');
	await ap.goto(`/#/approvals/${req.id}`);
	await ap.getByRole('heading', {name: /^依頼: 契約書/}).waitFor();
	await ap.getByTestId('decide').getByRole('button', {name: '承認する'}).click();
	await ap.locator('dl.props').getByText('受け取り可').waitFor();

	await staff.reload();
	await row.getByText('受け取り可').waitFor();
	const wait = staff.waitForEvent('download');
	await row.getByRole('button', {name: 'ダウンロード'}).click();
	const d = await wait;
	const bytes = fs.readFileSync(await d.path());
	check(bytes.length > 0 && bytes.subarray(0, 2).toString('latin1') === 'PK',
		`the opened archive is a zip (${d.suggestedFilename()}, ${bytes.length} bytes)`);

	// The passwords were used once and kept nowhere.
	for (const f of [...filesUnder(env.dataDir), path.join(env.dir, 'console.log')]) {
		const data = fs.readFileSync(f);
		check(!data.includes(Buffer.from(WRONG)), `the wrong password found in ${f}`);
		check(!data.includes(Buffer.from(`"${RIGHT}"`)), `the password found as a value in ${f}`);
	}
	check(!env.consoleLog().includes(RIGHT), 'the password is not in the console\'s log');
});
