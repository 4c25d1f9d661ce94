// release.mjs - a quarantined mail's attachment asked for, approved and
// downloaded: the staff member asks for the sanitized 議事録.docx and
// for the original of 名簿.zip, each with a reason, and for 資料.pdf; the
// department's approver approves the first two from the queue (the docx
// goes through the CDR engine and is released; the original waits for
// the second approval) and refuses the third with a reason, which the
// requester then reads;
// the security team gives the second approval; the staff member
// downloads both, and the original's bytes are the quarantined ones.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {run, check, SOURCE_ROOT} from './lib.mjs';

const mails = path.join(SOURCE_ROOT, 'examples', 'mail');

async function ask(page, filename, kind, reason) {
	const row = page.locator('table.data tbody tr', {hasText: filename});
	await row.getByRole('button', {name: '取り出しを依頼'}).click();
	const f = page.locator('form.inline-form');
	await f.getByRole('heading', {name: `「${filename}」の取り出しを依頼する`}).waitFor();
	await f.getByLabel(kind).check();
	await f.getByLabel('理由').fill(reason);
	const done = page.waitForResponse((r) => r.url().endsWith('/api/releases') &&
		r.request().method() === 'POST');
	await f.getByRole('button', {name: '依頼する'}).click();
	const resp = await done;
	check(resp.status() === 201, `request answered ${resp.status()}`);
	return resp.json();
}

async function download(page, row) {
	const wait = page.waitForEvent('download');
	await row.getByRole('button', {name: 'ダウンロード'}).click();
	const d = await wait;
	const file = await d.path();
	return {name: d.suggestedFilename(), bytes: fs.readFileSync(file)};
}

run('release', async (env) => {
	const qid = env.sanitize(path.join(mails, '03-attachments.eml'));
	env.addAccount('tanaka', 'staff', '総務課', ['--email', 'soumu@city.example.lg.jp',
		'--name', '田中 花子']);
	env.addAccount('sato', 'approver', '総務課', ['--name', '佐藤 一郎']);
	env.addAccount('kanri', 'secadmin', '情報政策課', ['--name', '鈴木 次郎']);

	// The staff member asks.
	const staff = await env.newPage('tanaka');
	await env.login(staff, 'tanaka');
	await staff.getByRole('link', {name: '会議資料の送付'}).click();
	await staff.getByRole('heading', {name: '会議資料の送付'}).waitFor();
	const docx = await ask(staff, '議事録.docx', '無害化したファイル', '議事録の確認のため');
	check(docx.state === 'requested' && docx.kind === 'sanitized', 'docx requested');
	await env.screenshot(staff, 'release-ask');
	const orig = await ask(staff, '名簿.zip', '原本（要二次承認）', '名簿の原本が必要（窓口で照合）');
	check(orig.kind === 'original', 'original requested');
	const pdf = await ask(staff, '資料.pdf', '無害化したファイル', '印刷して配布したい');
	const reqs = staff.locator('.requests table.data tbody tr');
	await reqs.nth(2).waitFor();
	check(await reqs.count() === 3, 'the three requests listed under the mail');
	check(await staff.locator('.requests').getByText('承認待ち').count() === 3, 'all waiting');

	// The approver's queue.
	const ap = await env.newPage('sato');
	await env.login(ap, 'sato');
	await ap.getByRole('link', {name: '承認待ち'}).click();
	await ap.getByRole('heading', {name: '承認待ちの依頼'}).waitFor();
	const queue = ap.locator('table.data tbody tr');
	await queue.nth(2).waitFor();
	check(await queue.count() === 3, 'three requests to decide');
	check(await queue.filter({hasText: '会議資料の送付'}).filter({hasText: 'yamada@example.co.jp'})
		.count() === 3, 'each request shows the mail\'s subject and sender');
	await env.screenshot(ap, 'approvals');
	for (const name of ['議事録.docx', '名簿.zip']) {
		await ap.getByRole('link', {name}).click();
		await ap.getByRole('heading', {name: `依頼: ${name}`}).waitFor();
		await ap.locator('dl.props dd', {hasText: /議事録の確認のため|名簿の原本が必要/}).waitFor();
		const decide = ap.getByTestId('decide');
		await decide.getByLabel('コメント').fill('業務上必要と認めます');
		if (name === '名簿.zip')
			await env.screenshot(ap, 'approval-original');
		const answered = ap.waitForResponse((r) => /\/approve$/.test(r.url()));
		await decide.getByRole('button', {name: '承認する'}).click();
		const after = await (await answered).json();
		check(after.state === (name === '名簿.zip' ? 'approved' : 'released'),
			`${name} after the first approval: ${after.state} ${after.failure || ''}`);
		await ap.getByTestId('decide').waitFor({state: 'detached'});
		await ap.goto('/#/approvals');
		await ap.getByRole('heading', {name: '承認待ちの依頼'}).waitFor();
	}
	// Refusing needs a reason; the requester reads it.
	await ap.getByRole('link', {name: '資料.pdf'}).click();
	await ap.getByRole('heading', {name: '依頼: 資料.pdf'}).waitFor();
	await ap.getByTestId('decide').getByLabel('コメント').fill('紙での配布は認められません');
	const refused = ap.waitForResponse((r) => r.url().endsWith(`/api/releases/${pdf.id}/refuse`));
	await ap.getByTestId('decide').getByRole('button', {name: '却下する'}).click();
	check((await (await refused).json()).state === 'refused', 'refused');
	await ap.locator('dl.props').getByText('却下').waitFor();
	await ap.goto('/#/approvals');
	await ap.getByText('承認待ちの依頼はありません。').waitFor();

	// The security team's second approval of the original.
	const sec = await env.newPage('kanri');
	await env.login(sec, 'kanri');
	await sec.getByRole('link', {name: '承認待ち'}).click();
	await sec.getByText('原本の二次承認を待っている依頼が 1 件あります（一覧の先頭）。').waitFor();
	await sec.getByRole('link', {name: '名簿.zip'}).click();
	await sec.getByRole('heading', {name: '原本の取り出し: 二次承認'}).waitFor();
	await sec.getByText('原本は無害化されていないファイルです。取り出しは監査ログに特記されます。').waitFor();
	await sec.getByTestId('decide').getByLabel('コメント').fill('照合に限り認める');
	await sec.getByTestId('decide').getByRole('button', {name: '承認する'}).click();
	await sec.locator('dl.props').getByText('受け取り可').waitFor();

	// The staff member downloads both.
	await staff.reload();
	await staff.getByRole('heading', {name: '会議資料の送付'}).waitFor();
	const rowDocx = staff.locator('.requests tbody tr', {hasText: '議事録.docx'});
	const rowZip = staff.locator('.requests tbody tr', {hasText: '名簿.zip'});
	await rowDocx.getByText('受け取り可').waitFor();
	await rowZip.getByText('受け取り可').waitFor();
	await env.screenshot(staff, 'release-download');
	const rowPdf = staff.locator('.requests tbody tr', {hasText: '資料.pdf'});
	await rowPdf.getByText('却下').waitFor();
	check(await rowPdf.getByRole('button', {name: 'ダウンロード'}).count() === 0, 'nothing to download');
	await rowPdf.getByRole('link', {name: '詳細'}).click();
	await staff.getByRole('cell', {name: '紙での配布は認められません'}).waitFor();
	await staff.goBack();
	await rowDocx.getByText('受け取り可').waitFor();
	const d1 = await download(staff, rowDocx);
	check(d1.name === '議事録.docx', `docx download named ${d1.name}`);
	check(d1.bytes.subarray(0, 2).toString('latin1') === 'PK', 'the sanitized docx is a zip');
	const d2 = await download(staff, rowZip);
	check(d2.name === '名簿.zip', `zip download named ${d2.name}`);
	const sha = crypto.createHash('sha256').update(d2.bytes).digest('hex');
	const listed = await staff.evaluate(async (id) => {
		const r = await fetch(`/api/mail/${id}`);
		return (await r.json()).attachment_list.find((a) => a.filename === '名簿.zip').sha256;
	}, qid);
	check(sha === listed, 'the original released is the quarantined attachment, byte for byte');
});
