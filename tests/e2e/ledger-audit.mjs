// ledger-audit.mjs - the security team's screens over the example city's
// ledger (examples/ledger/load.sh): findings, an asset whose
// classification is inherited from the information it holds, searching,
// editing (the version moves) and adding a record, the risk heat map, an
// incident's timeline with a new entry and the next step, what is due,
// the gateway's summary, and the audit trail: the chain verified with its
// head, filtered, and exported ending with the export's own record.

import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {run, check, SOURCE_ROOT} from './lib.mjs';

run('ledger-audit', async (env) => {
	execFileSync('sh', [path.join(SOURCE_ROOT, 'examples', 'ledger', 'load.sh'), env.dataDir],
		{env: {...process.env, KYOJIN: process.env.KYOJIN}, stdio: ['ignore', 'pipe', 'pipe']});
	env.addAccount('kanri', 'secadmin', '情報政策課', ['--name', '鈴木 次郎']);
	const risks = env.kyojinJson(['ledger', 'risk', 'list']).records.length;

	const page = await env.newPage('kanri');
	await env.login(page, 'kanri');

	// Ledger: registers and the consistency findings.
	await page.getByRole('link', {name: '管理台帳'}).click();
	await page.getByRole('heading', {name: '情報セキュリティ管理台帳'}).waitFor();
	await page.getByRole('heading', {name: /^台帳の点検結果（[1-9]\d* 件）$/}).waitFor();
	await page.locator('a.tile', {hasText: '情報資産管理台帳'}).click();
	await page.getByRole('heading', {name: /情報資産管理台帳/}).waitFor();
	const assets = page.locator('table.data tbody tr');
	check(await assets.count() === 8, `8 example assets, got ${await assets.count()}`);
	// 住民 is in three names: 住民基本台帳データ, 個人住民税課税データ, 住民情報システム.
	await page.getByLabel('検索').fill('住民');
	await page.getByRole('button', {name: '検索'}).click();
	await page.waitForURL(/q=/);
	await page.locator('table.data tbody tr').nth(3).waitFor({state: 'detached'});
	const found = await page.locator('table.data tbody td:first-child').allTextContents();
	check(found.sort().join(' ') === 'INF-JUMIN INF-ZEI SYS-KIKAN', `search found ${found}`);

	// An asset inheriting its class.
	await page.goto('/#/ledger/asset/SYS-HP');
	await page.getByRole('heading', {name: '分類（継承を含む）'}).waitFor();
	const lg = page.locator('.classification tbody tr', {hasText: 'lg-c'});
	await lg.getByRole('cell', {name: '3B'}).waitFor();
	await lg.getByRole('link', {name: 'INF-HPFORM'}).waitFor();
	await env.screenshot(page, 'ledger-asset');

	// Edit: the version moves on.
	const edit = page.getByTestId('ledger-edit');
	await edit.getByLabel('保管場所（location）').fill('庁舎サーバ室');
	await edit.getByRole('button', {name: '保存する'}).click();
	await page.getByText('第2版を編集しています。他の人が先に変更した場合は保存されません。').waitFor();
	await page.locator('dl.props dd', {hasText: '庁舎サーバ室'}).waitFor();
	const shown = env.kyojinJson(['ledger', 'asset', 'show', 'SYS-HP']);
	check(shown.record.location === '庁舎サーバ室' && shown.record.version === 2, 'saved in the ledger');

	// Add a record.
	await page.goto('/#/ledger/asset');
	const add = page.getByTestId('ledger-add');
	await add.getByLabel('キー').fill('MED-DVD');
	await add.getByLabel('名称（name）').fill('バックアップ用 DVD');
	await add.getByLabel('種別（kind）').selectOption('medium');
	await add.getByLabel('所管課（department）').fill('DIGI');
	await add.getByRole('button', {name: '追加する'}).click();
	await page.getByRole('heading', {name: /MED-DVD$/}).waitFor();

	// The heat map counts every risk once.
	await page.getByRole('link', {name: 'リスク'}).click();
	await page.getByRole('heading', {name: 'リスクのヒートマップ'}).waitFor();
	const counts = await page.locator('td.heat .heat-count').allTextContents();
	const sum = counts.reduce((a, c) => a + (c ? Number(c) : 0), 0);
	check(sum === risks, `heat map holds ${sum} of ${risks} risks`);
	check(await page.locator('td.heat').count() === 25, '5 x 5 cells');
	await env.screenshot(page, 'risk-heatmap');

	// An incident: timeline, a new entry, the next step.
	await page.getByRole('link', {name: 'インシデント'}).click();
	await page.getByRole('link', {name: 'IN-2026-001'}).click();
	await page.getByRole('heading', {name: '経過', exact: true}).waitFor();
	const entries = page.locator('ol.timeline li');
	const n = await entries.count();
	check(n >= 2, 'the example incident has a timeline');
	await page.getByLabel('内容').fill('送信先から削除完了の連絡');
	await page.getByRole('button', {name: '追加する'}).click();
	await page.locator('ol.timeline li', {hasText: '送信先から削除完了の連絡'}).waitFor();
	check(await entries.count() === n + 1, 'one entry more');
	await page.getByRole('button', {name: '「初動対応」に進める'}).click();
	await page.locator('ol.stepper li[aria-current="step"]', {hasText: '初動対応'}).waitFor();
	await env.screenshot(page, 'incident');

	// Due and overdue.
	await page.getByRole('link', {name: '期限'}).click();
	await page.getByText(/^\d+ 件（うち期限切れ [1-9]\d* 件）$/).waitFor();
	await env.screenshot(page, 'due', false);

	// Gateway: the summary of an empty queue.
	await page.getByRole('link', {name: 'ゲートウェイ'}).click();
	await page.getByRole('heading', {name: '無害化メールゲートウェイ'}).waitFor();
	await page.getByText('キューは空です。').waitFor();
	await env.screenshot(page, 'gateway');

	// Audit trail: verified chain and head, filter, export.
	await page.getByRole('link', {name: '監査証跡'}).click();
	const chain = page.getByTestId('chain');
	await chain.getByText(/^検証済み: \d+ 件の記録に改ざんはありません。$/).waitFor();
	const head = (await page.getByTestId('head').textContent()).trim();
	check(/^\d+:[0-9a-f]{64}$/.test(head), `head ${head}`);
	await page.getByLabel('操作').fill('ledger.');
	await page.getByRole('button', {name: '検索'}).click();
	await page.waitForURL(/action=ledger/);
	// The filtered page replaces the whole list (whose newest records are
	// the login's account.* ones): wait for that, not for a row both have.
	await page.waitForFunction(() => {
		const cells = [...document.querySelectorAll('table.data tbody td:nth-child(4)')];
		return cells.length > 0 && cells.every((c) => c.textContent.startsWith('ledger.'));
	});
	await page.getByRole('cell', {name: 'asset:SYS-HP'}).first().waitFor();
	await env.screenshot(page, 'audit', false);
	const wait = page.waitForEvent('download');
	await page.getByRole('button', {name: '書き出し（監査人向け）'}).click();
	const d = await wait;
	const lines = fs.readFileSync(await d.path(), 'utf8').trim().split('\n');
	const last = JSON.parse(lines[lines.length - 1]);
	check(last.action === 'audit.export' && last.actor === 'kanri', 'the export ends with its own record');
	check(Number(head.split(':')[0]) + 1 === last.seq, 'and follows the head shown');
});
