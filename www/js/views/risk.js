// risk.js - the risk heat map: likelihood x impact, each cell coloured
// by the level the risk grid gives it, with the number of risks there.
// A table (row and column headers) so that a screen reader reads it too.

import {h, field} from '../dom.js';
import {t} from '../i18n.js';
import {api} from '../api.js';
import {page, select} from './common.js';

// Level names of the seeded risk-level register -> colour classes.
const LEVEL_CLASS = {'低': 'lv-low', '中': 'lv-mid', '高': 'lv-high', '極高': 'lv-extreme'};
// Levels renamed in the risk-level register: by their rank instead.
const RANK_CLASS = {1: 'lv-low', 2: 'lv-mid', 3: 'lv-high', 4: 'lv-extreme'};

export async function riskView(ctx) {
	const params = new URLSearchParams(location.hash.split('?')[1] || '');
	const by = params.get('by') || 'current';
	const m = await api.riskHeatmap(by);
	// cells[likelihood - 1][impact - 1] = {likelihood, impact, risks, level, rank}
	const cells = (m.cells || []).flat();
	const at = (l, i) => cells.find((c) => c.likelihood === l && c.impact === i) || {};
	const cls = (c) => LEVEL_CLASS[c.level] || RANK_CLASS[c.rank] || 'lv-none';
	const picker = h('form', {class: 'filters'},
		field(t('risk.by'), select('by', [['inherent', t('risk.inherent')],
			['current', t('risk.current')], ['residual', t('risk.residual')]], by)),
		h('div', {class: 'actions'}, h('button', {type: 'submit'}, t('common.show'))));
	picker.addEventListener('submit', (ev) => {
		ev.preventDefault();
		location.hash = `#/risk?by=${encodeURIComponent(String(new FormData(picker).get('by')))}`;
	});
	const impacts = [1, 2, 3, 4, 5];
	const heat = h('table', {class: 'heatmap'},
		h('caption', null, t('risk.caption', {by: t(`risk.${by}`)})),
		h('thead', null, h('tr', null,
			h('th', {scope: 'col', class: 'corner'}, t('risk.likelihood_impact')),
			impacts.map((i) => h('th', {scope: 'col'}, String(i))))),
		h('tbody', null, [5, 4, 3, 2, 1].map((l) => h('tr', null,
			h('th', {scope: 'row'}, String(l)),
			impacts.map((i) => {
				const c = at(l, i);
				const n = c.risks || 0;
				return h('td', {class: ['heat', cls(c), n ? 'has' : null],
					title: t('risk.cell_title', {l, i, level: c.level || '—', n})},
				h('span', {class: 'heat-level'}, c.level || ''),
				h('span', {class: 'heat-count'}, n ? String(n) : ''));
			})))));
	const legend = h('ul', {class: 'legend'}, ['低', '中', '高', '極高'].map((lv) =>
		h('li', null, h('span', {class: ['swatch', LEVEL_CLASS[lv]], 'aria-hidden': 'true'}), lv)));
	return page(t('risk.title'), t('risk.intro'), picker, h('div', {class: 'heat-wrap'}, heat, legend),
		h('p', {class: 'help'}, t('risk.count_note')),
		h('p', null, h('a', {href: '#/ledger/risk'}, t('risk.register'))));
}
