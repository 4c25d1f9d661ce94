// exchange.mjs - files between segments: a staff member uploads two
// outbound files (LGWAN -> internet) for a colleague on the other side;
// the department's approver approves both.  The list of staff with a
// personal number (My Number, valid check digit, under the CSV heading
// 個人番号) is blocked: the page shows it blocked with the number masked,
// and the security team sees the notification.  The clean file becomes
// available and the recipient downloads it, byte for byte.  A third file
// is refused with a reason, which the uploader reads; an inbound file
// (internet -> LGWAN) is sanitized on approval and downloaded.

import fs from 'node:fs';
import {run, check} from './lib.mjs';

// A 12-digit My Number with a valid check digit (docs/en/dlp.md).
function myNumber(eleven) {
	let sum = 0;
	for (let n = 1; n <= 11; n++) {
		const p = Number(eleven[11 - n]);
		sum += p * (n <= 6 ? n + 1 : n - 5);
	}
	const r = sum % 11;
	return eleven + String(r <= 1 ? 0 : 11 - r);
}

async function upload(page, name, body, direction = 'outbound') {
	const f = page.getByTestId('exchange-upload');
	await f.getByLabel('方向').selectOption(direction);
	await f.getByLabel('ファイル', {exact: true}).setInputFiles({name, mimeType: 'text/csv',
		buffer: Buffer.from(body)});
	await f.getByLabel('受け取る人（ログイン名）').fill('yamada');
	await f.getByLabel('メモ').fill('委託先へ送付');
	const answered = page.waitForResponse((r) => /\/api\/exchange\?/.test(r.url()) &&
		r.request().method() === 'POST');
	await f.getByRole('button', {name: '預ける'}).click();
	const resp = await answered;
	check(resp.status() === 201, `upload answered ${resp.status()}`);
	return resp.json();
}

run('exchange', async (env) => {
	env.addAccount('tanaka', 'staff', '総務課', ['--name', '田中 花子']);
	env.addAccount('yamada', 'staff', '総務課', ['--name', '山田 二郎']);
	env.addAccount('sato', 'approver', '総務課', ['--name', '佐藤 一郎']);
	env.addAccount('kanri', 'secadmin', '情報政策課', ['--name', '鈴木 次郎']);
	const number = myNumber('12345678901');
	const roster = `氏名,個人番号\r\n市民 太郎,${number}\r\n`;
	const agenda = '日時,議題\r\n4月1日,委託契約の確認\r\n';

	const staff = await env.newPage('tanaka');
	await env.login(staff, 'tanaka');
	await staff.getByRole('link', {name: 'ファイル受け渡し'}).click();
	await staff.getByRole('heading', {name: 'ファイルの受け渡し（系間）'}).waitFor();
	const blockedX = await upload(staff, '職員名簿.csv', roster);
	check(blockedX.state === 'uploaded' && blockedX.direction === 'outbound', 'uploaded, outbound');
	await staff.locator('tbody tr', {hasText: '職員名簿.csv'}).getByText('承認待ち').waitFor();
	const cleanX = await upload(staff, '会議次第.csv', agenda);
	await staff.locator('tbody tr', {hasText: '会議次第.csv'}).getByText('承認待ち').waitFor();
	const refusedX = await upload(staff, '私物の写真.csv', 'a,b\r\n1,2\r\n');
	const inboundX = await upload(staff, '業者見積.csv', '品目,金額\r\n保守,120000\r\n', 'inbound');
	await staff.locator('tbody tr', {hasText: '私物の写真.csv'}).getByText('承認待ち').waitFor();
	// The uploader cannot approve her own files.
	check(await staff.getByRole('button', {name: '承認する'}).count() === 0, 'no approval for the uploader');
	await env.screenshot(staff, 'exchange-upload');

	const ap = await env.newPage('sato');
	await env.login(ap, 'sato');
	await ap.getByRole('link', {name: 'ファイル受け渡し'}).click();
	for (const [x, state] of [[blockedX, 'blocked'], [cleanX, 'available'], [inboundX, 'available']]) {
		const form = ap.getByTestId(`decide-${x.id}`);
		const answered = ap.waitForResponse((r) => r.url().endsWith(`/api/exchange/${x.id}/approve`));
		await form.getByRole('button', {name: '承認する'}).click();
		const after = await (await answered).json();
		check(after.state === state, `${x.filename}: ${after.state} (${after.failure || ''})`);
		await form.waitFor({state: 'detached'});
	}
	const refuse = ap.getByTestId(`decide-${refusedX.id}`);
	await refuse.getByLabel('コメント').fill('業務に関係のないファイルです');
	const refusedAnswer = ap.waitForResponse((r) => r.url().endsWith(`/api/exchange/${refusedX.id}/refuse`));
	await refuse.getByRole('button', {name: '却下する'}).click();
	check((await (await refusedAnswer).json()).state === 'refused', 'refused');
	await refuse.waitFor({state: 'detached'});
	const row = ap.locator('tbody tr', {hasText: '職員名簿.csv'});
	await row.getByText('持ち出し停止').waitFor();
	await row.getByText('個人番号（マイナンバー）が 1 件見つかったため、持ち出しを止めました。').waitFor();
	await row.getByText(`********${number.slice(8)}`).waitFor();
	check(!(await ap.content()).includes(number), 'the whole number is never shown');
	await ap.getByText('持ち出しを止めたファイルが 1 件あります。').waitFor();
	await env.screenshot(ap, 'exchange-blocked');

	// The uploader reads why.
	await staff.reload();
	const refusedRow = staff.locator('tbody tr', {hasText: '私物の写真.csv'});
	await refusedRow.getByText('却下').waitFor();
	await refusedRow.getByText('業務に関係のないファイルです').waitFor();

	// The security team is told.
	const sec = await env.newPage('kanri');
	await env.login(sec, 'kanri');
	await sec.getByRole('link', {name: '通知'}).click();
	await sec.getByRole('heading', {name: '情報セキュリティ担当への通知'}).waitFor();
	await sec.locator('tbody tr', {hasText: '職員名簿.csv'}).waitFor();

	// The recipient downloads the clean file; the blocked one is not offered.
	const rc = await env.newPage('yamada');
	await env.login(rc, 'yamada');
	await rc.getByRole('link', {name: 'ファイル受け渡し'}).click();
	const okRow = rc.locator('tbody tr', {hasText: '会議次第.csv'});
	await okRow.getByText('受け取り可').waitFor();
	check(await rc.locator('tbody tr', {hasText: '職員名簿.csv'}).getByRole('button',
		{name: 'ダウンロード'}).count() === 0, 'the blocked file cannot be downloaded');
	const wait = rc.waitForEvent('download');
	await okRow.getByRole('button', {name: 'ダウンロード'}).click();
	const d = await wait;
	check(d.suggestedFilename() === '会議次第.csv', `download named ${d.suggestedFilename()}`);
	check(fs.readFileSync(await d.path()).toString() === agenda, 'the file arrives unchanged');

	// The inbound file went through the CDR engine before it was offered.
	const inRow = rc.locator('tbody tr', {hasText: '業者見積.csv'});
	await inRow.getByText('取り込み').waitFor();
	const wait2 = rc.waitForEvent('download');
	await inRow.getByRole('button', {name: 'ダウンロード'}).click();
	const d2 = await wait2;
	check(fs.readFileSync(await d2.path()).toString().includes('保守'), 'the sanitized inbound file arrives');
});
