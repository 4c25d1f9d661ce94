// inspect.js - self-inspection (基本方針 7): the campaigns, each
// department's progress and score, and the form where a department
// answers its checklist item by item.

import {h, field, replace, table} from '../dom.js';
import {t, label} from '../i18n.js';
import {api} from '../api.js';
import {page, form, empty, select, badge} from './common.js';

const RESULTS = ['適合', '一部適合', '不適合', '該当なし'];

function progress(done, total) {
	const pct = total ? Math.round((100 * done) / total) : 0;
	return h('span', {class: 'progress-wrap'},
		h('progress', {max: total || 1, value: done, 'aria-label': t('inspect.progress')}),
		h('span', {class: 'progress-text'}, `${done}/${total} (${pct}%)`));
}

export async function inspectListView(ctx) {
	const r = await api.campaigns();
	const items = r.items || r.campaigns || [];
	return page(t('inspect.title'), t('inspect.intro'),
		items.length ? table(null, [
			{label: t('inspect.campaign'), cell: (c) => h('a', {href: `#/inspect/${encodeURIComponent(c.key)}`},
				c.name || c.key)},
			{label: t('inspect.period'), cell: (c) => `${c.period_start || ''} – ${c.period_end || ''}`},
			{label: t('inspect.status'), cell: (c) => badge('cstatus', c.status)},
		], items) : empty(t('inspect.none')));
}

function answerForm(ctx, key, dept, it, done) {
	const name = `result-${it.item}`;
	const evidence = h('textarea', {name: 'evidence', rows: 2, maxlength: 1000, text: it.evidence || ''});
	const legendId = `q-${it.item}`;
	return form({class: 'answer', 'data-testid': `answer-${it.item}`}, [
		h('fieldset', {class: 'choice'},
			h('legend', {id: legendId}, h('span', {class: 'item-key'}, it.item), ' ',
				it.question || '', it.clause ? h('span', {class: 'sub'}, it.clause) : null),
			RESULTS.map((res) => h('label', {class: 'radio'},
				h('input', {type: 'radio', name, value: res, checked: it.result === res, required: true}),
				' ', res))),
		field(t('inspect.evidence'), evidence),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('inspect.save'))),
	], async (f) => {
		const sel = f.querySelector(`input[name="${name}"]:checked`);
		if (!sel)
			return;
		await api.inspectAnswer(key, dept, it.item, {result: sel.value, evidence: evidence.value.trim()});
		ctx.toast(t('inspect.saved', {item: it.item}));
		done();
	});
}

export async function inspectView(ctx, key) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const dept = params.get('department') || '';
	const r = await api.campaign(key, dept);
	const depts = r.departments || [];
	const overview = table(t('inspect.by_department'), [
		{label: t('inspect.department'), cell: (d) => h('a', {href:
			`#/inspect/${encodeURIComponent(key)}?department=${encodeURIComponent(d.department)}`}, d.department)},
		{label: t('inspect.progress'), cell: (d) => progress(d.answered || 0, d.items || 0)},
		{label: t('inspect.score'), cell: (d) => (d.score === null || d.score === undefined ? '—' : `${d.score}`),
			class: 'num'},
		{label: t('inspect.gaps'), cell: (d) => (d.gaps && d.gaps.length ? d.gaps.join(', ') : '—')},
	], depts, {rowClass: (d) => (d.department === dept ? 'current' : null)});

	let sheet = null;
	const items = r.items || [];
	if (dept && items.length) {
		const mayAnswer = ctx.can('inspect.answer') &&
			(ctx.session.permissions['inspect.answer'] === 'all' || ctx.account.department === dept);
		const answered = items.filter((i) => i.result).length;
		sheet = h('section', {class: 'sheet', 'aria-labelledby': 'sheet-h'},
			h('h2', {id: 'sheet-h'}, t('inspect.sheet', {dept})),
			h('p', {'data-testid': 'sheet-progress'}, progress(answered, items.length)),
			mayAnswer ? h('div', {class: 'answers'}, items.map((it) =>
				answerForm(ctx, key, dept, it, () => ctx.refresh())))
				: table(null, [
					{label: t('inspect.item'), cell: (i) => i.item},
					{label: t('inspect.question'), cell: (i) => i.question || '—'},
					{label: t('inspect.result'), cell: (i) => i.result || t('inspect.unanswered')},
					{label: t('inspect.evidence'), cell: (i) => i.evidence || '—'},
				], items));
	}
	return page(r.name || key, r.period_start ? `${r.period_start} – ${r.period_end}` : null,
		h('p', null, h('a', {href: '#/inspect'}, t('inspect.back'))),
		overview, sheet || (dept ? empty(t('inspect.no_items')) : h('p', {class: 'help'}, t('inspect.pick'))));
}
