// common.js - pieces the screens share: notices, headings, pagers,
// status badges, forms that report the API's errors in place.

import {h, replace} from '../dom.js';
import {t, label} from '../i18n.js';
import {ApiError} from '../api.js';

export function notice(kind, text, ...more) {
	return h('div', {class: ['notice', `notice-${kind}`], role: kind === 'error' ? 'alert' : 'status'},
		h('p', null, text), more);
}

export function page(title, intro, ...content) {
	return h('section', {class: 'page'},
		h('h1', null, title),
		intro ? h('p', {class: 'intro'}, intro) : null,
		content);
}

export function badge(prefix, value, extraClass) {
	return h('span', {class: ['badge', `badge-${String(value).replace(/[^a-z0-9_-]/gi, '')}`, extraClass]},
		label(prefix, value));
}

// The text of an error from the API, for a message next to a form.
export function errorText(e) {
	if (!(e instanceof ApiError))
		return String(e);
	const known = `apierr.${e.code}`;
	const tx = t(known);
	if (tx !== known)
		return e.message && e.code !== 'network' ? `${tx} (${e.message})` : tx;
	return t('error.generic', {message: e.message});
}

// A form whose submit runs fn(form); errors show in the form's alert
// area; the submit button is disabled while the request runs.
export function form(attrs, children, fn) {
	const status = h('div', {class: 'form-status', role: 'alert', 'aria-live': 'assertive'});
	const f = h('form', {...attrs, novalidate: false}, children, status);
	f.addEventListener('submit', async (ev) => {
		if (ev.target !== f)
			return; /* a form shown inside this one handles its own */
		ev.preventDefault();
		const buttons = f.querySelectorAll('button');
		buttons.forEach((b) => { b.disabled = true; });
		replace(status);
		try {
			await fn(f, ev.submitter);
		} catch (e) {
			if (!(e instanceof ApiError))
				throw e;
			replace(status, h('p', {class: 'error-text'}, errorText(e)));
		} finally {
			buttons.forEach((b) => { b.disabled = false; });
		}
	});
	return f;
}

// "More" button for keyset-paged lists: load(cursor) -> {items, next_cursor}.
export function pager(tbodyOrList, renderRow, first, load) {
	const wrap = h('div', {class: 'pager'});
	const more = (cursor) => {
		if (!cursor) {
			replace(wrap);
			return;
		}
		replace(wrap, h('button', {
			type: 'button', class: 'secondary',
			onclick: async () => {
				const next = await load(cursor);
				next.items.forEach((it) => tbodyOrList.append(renderRow(it)));
				more(next.next_cursor);
			},
		}, t('common.more')));
	};
	more(first.next_cursor);
	return wrap;
}

export function empty(text) {
	return h('p', {class: 'empty'}, text);
}

export function select(name, options, value, attrs = {}) {
	return h('select', {name, ...attrs}, options.map(([v, text]) =>
		h('option', {value: v, selected: v === value}, text)));
}
