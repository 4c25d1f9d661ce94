// inspect.js - self-inspection (基本方針 7): the campaigns (the ledger's
// campaign register), each department's progress and score, and the
// form where a department's approver (or the security team) answers the
// checklist item by item.  The server says whether this account may
// answer for the department (may_answer) and checks it again.

import {h, field, table} from '../dom.js';
import {t, label} from '../i18n.js';
import {api} from '../api.js';
import {page, form, empty, badge} from './common.js';

const RESULTS = ['適合', '一部適合', '不適合', '該当なし'];

function progress(done, total, testid) {
	const pct = total ? Math.round((100 * done) / total) : 0;
	return h('span', {class: 'progress-wrap', 'data-testid': testid || null},
		h('progress', {max: total || 1, value: done, 'aria-label': t('inspect.progress')}),
		h('span', {class: 'progress-text'}, `${done}/${total} (${pct}%)`));
}

export async function inspectListView(ctx) {
	const r = await api.records('campaign', {limit: 100});
	return page(t('inspect.title'), t('inspect.intro'),
		r.items.length ? table(null, [
			{label: t('inspect.campaign'), cell: (c) => h('a', {href: `#/inspect/${encodeURIComponent(c.key)}`},
				c.values.name || c.key)},
			{label: t('inspect.period'), cell: (c) => `${c.values.period_start || ''} – ${c.values.period_end || ''}`},
			{label: t('inspect.status'), cell: (c) => badge('cstatus', c.values.status)},
		], r.items) : empty(t('inspect.none')));
}

function answerForm(ctx, key, dept, it, done) {
	const name = `result-${it.item}`;
	const evidence = h('textarea', {name: 'evidence', rows: 2, maxlength: 1000, text: it.evidence || ''});
	return form({class: 'answer', 'data-testid': `answer-${it.item}`}, [
		h('fieldset', {class: 'choice'},
			h('legend', null, h('span', {class: 'item-key'}, it.item), ' ', it.question || '',
				it.clause ? h('span', {class: 'sub'}, it.clause) : null),
			RESULTS.map((res) => h('label', {class: 'radio'},
				h('input', {type: 'radio', name, value: res, checked: it.result === res, required: true}),
				' ', res)),
			it.result ? h('span', {class: 'answered-mark'}, t('inspect.answered_mark')) : null),
		field(t('inspect.evidence'), evidence),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('inspect.save'))),
	], async (f) => {
		const sel = f.querySelector(`input[name="${name}"]:checked`);
		const after = await api.inspectionAnswer(key, {department: dept, item: it.item,
			result: sel.value, evidence: evidence.value.trim()});
		ctx.toast(t('inspect.saved', {item: it.item}));
		done(after);
	});
}

async function sheet(ctx, key, dept) {
	const fm = await api.inspectionForm(key, dept);
	const items = fm.items || [];
	if (!items.length)
		return empty(t('inspect.no_items'));
	return h('section', {class: 'sheet', 'aria-labelledby': 'sheet-h'},
		h('h2', {id: 'sheet-h'}, t('inspect.sheet', {dept})),
		h('p', null, progress(fm.answered, fm.items_total, 'sheet-progress')),
		fm.may_answer ? h('div', {class: 'answers'}, items.map((it) =>
			answerForm(ctx, key, dept, it, () => ctx.refresh())))
			: table(null, [
				{label: t('inspect.item'), cell: (i) => i.item},
				{label: t('inspect.question'), cell: (i) => i.question || '—'},
				{label: t('inspect.result'), cell: (i) => i.result || t('inspect.unanswered')},
				{label: t('inspect.evidence'), cell: (i) => i.evidence || '—'},
			], items));
}

export async function inspectView(ctx, key) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const dept = params.get('department') || '';
	const [r, camp] = await Promise.all([api.inspection(key),
		api.record('campaign', key).catch(() => null)]);
	const depts = r.departments || [];
	const overview = table(t('inspect.by_department'), [
		{label: t('inspect.department'), cell: (d) => h('a', {href:
			`#/inspect/${encodeURIComponent(key)}?department=${encodeURIComponent(d.department)}`}, d.department)},
		{label: t('inspect.progress'), cell: (d) => progress(d.answered || 0, d.items || 0)},
		{label: t('inspect.score'), cell: (d) => (d.answered ? String(d.score) : '—'), class: 'num'},
		{label: t('inspect.gaps'), cell: (d) => (d.gaps && d.gaps.length ? d.gaps.join(', ') : '—')},
	], depts, {rowClass: (d) => (d.department === dept ? 'current' : null)});
	const v = camp ? camp.values : {};
	return page(v.name || key, v.period_start ? `${v.period_start} – ${v.period_end}` : null,
		h('p', null, h('a', {href: '#/inspect'}, t('inspect.back'))),
		dept ? await sheet(ctx, key, dept) : h('p', {class: 'help'}, t('inspect.pick')),
		overview);
}

export {label};
