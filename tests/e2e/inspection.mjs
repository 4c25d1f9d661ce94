// inspection.mjs - a self-inspection answered: the ledger has two
// departments and a campaign started with 'kyojin inspect start'; the
// approver of 総務課 (ledger department SOMU, matched by its name) opens
// the department's checklist, answers two items with evidence, and sees
// the progress move; the CLI's report counts the answers.  Another
// department's form is shown to them read-only.

import {run, check} from './lib.mjs';

run('inspection', async (env) => {
	env.kyojin(['ledger', 'department', 'add', 'SOMU', 'name=総務課', 'kind=課']);
	env.kyojin(['ledger', 'department', 'add', 'ZEIMU', 'name=税務課', 'kind=課']);
	env.kyojin(['inspect', 'start', 'FY2026', '--name', '令和8年度情報セキュリティ自己点検',
		'--from', '令和8年6月1日', '--to', '令和8年6月30日']);
	env.addAccount('sato', 'approver', '総務課', ['--name', '佐藤 一郎']);

	const page = await env.newPage('sato');
	await env.login(page, 'sato');
	await page.getByRole('link', {name: '自己点検'}).click();
	await page.getByRole('heading', {name: '自己点検'}).waitFor();
	await page.getByRole('link', {name: '令和8年度情報セキュリティ自己点検'}).click();
	await page.getByRole('heading', {name: '令和8年度情報セキュリティ自己点検'}).waitFor();
	await page.getByRole('link', {name: 'SOMU'}).click();
	await page.getByRole('heading', {name: 'SOMU の点検票'}).waitFor();
	const progress = page.getByTestId('sheet-progress');
	const before = await progress.textContent();
	const m = /^0\/(\d+) /.exec(before);
	check(m && Number(m[1]) > 2, `nothing answered yet: ${before}`);
	const total = Number(m[1]);

	const forms = page.locator('form.answer');
	check(await forms.count() === total, 'one form per checklist item');
	const answer = async (i, result, evidence) => {
		const f = forms.nth(i);
		const item = (await f.locator('.item-key').textContent()).trim();
		await f.getByLabel(result, {exact: true}).check();
		await f.getByLabel('根拠・備考').fill(evidence);
		const saved = page.waitForResponse((r) => r.url().endsWith('/api/inspections/FY2026/answer'));
		await f.getByRole('button', {name: '回答を保存'}).click();
		check((await saved).status() === 200, `answer to ${item} saved`);
		await page.getByText(`${item} の回答を保存しました。`).waitFor();
		return item;
	};
	const first = await answer(0, '適合', '職員向け研修の受講記録あり');
	await progress.getByText(`1/${total} `).waitFor();
	const second = await answer(1, '不適合', '誓約書の未回収が2名');
	await progress.getByText(`2/${total} `).waitFor();
	// The answers stay: the form shows them checked after the refresh.
	check(await forms.nth(0).getByLabel('適合', {exact: true}).isChecked(), `${first} kept`);
	check(await forms.nth(1).getByLabel('不適合', {exact: true}).isChecked(), `${second} kept`);
	const row = page.locator('table.data tbody tr', {hasText: 'SOMU'});
	await row.getByText(`2/${total} `).waitFor();
	await env.screenshot(page, 'inspection', false);

	// The CLI sees the same answers.
	const rep = env.kyojinJson(['inspect', 'report', 'FY2026'], '', [1]); /* 1: 不適合 found */
	const somu = rep.departments.find((d) => d.department === 'SOMU');
	check(somu.answered === 2 && somu.compliant === 1 && somu.not_compliant === 1,
		`report: ${JSON.stringify(somu)}`);
	check(somu.gaps.includes(second), 'the non-compliant item is a gap');

	// Another department: read-only.
	await page.getByRole('link', {name: 'ZEIMU'}).click();
	await page.getByRole('heading', {name: 'ZEIMU の点検票'}).waitFor();
	check(await page.locator('form.answer').count() === 0, 'no answer forms for another department');
	await page.getByRole('cell', {name: '未回答'}).first().waitFor();
});
