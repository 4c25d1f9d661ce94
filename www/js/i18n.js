// i18n.js - the console's words, Japanese first, English switchable.
//
// Each entry is [Japanese, English].  {name} in a text is replaced by
// the parameter of that name (as text: the result goes into a Text node).
// The language chosen is kept in localStorage; nothing else is.

import {messages} from './messages.js';

const STORAGE_KEY = 'kyojin.lang';
let lang = 'ja';

export function initLang() {
	let saved = null;
	try {
		saved = localStorage.getItem(STORAGE_KEY);
	} catch {
		saved = null;
	}
	lang = saved === 'en' ? 'en' : 'ja';
	document.documentElement.lang = lang;
	return lang;
}

export function getLang() {
	return lang;
}

export function setLang(l) {
	lang = l === 'en' ? 'en' : 'ja';
	try {
		localStorage.setItem(STORAGE_KEY, lang);
	} catch {
		/* private mode: the choice lasts for this page only */
	}
	document.documentElement.lang = lang;
}

export function t(key, params) {
	const m = messages[key];
	let s = m ? m[lang === 'en' ? 1 : 0] : key;
	if (params)
		s = s.replace(/\{(\w+)\}/g, (all, name) =>
			(name in params ? String(params[name]) : all));
	return s;
}

// A label for a value of a known set (verdicts, states, roles...): the
// entry "<prefix>.<value>" if there is one, else the value itself.
export function label(prefix, value) {
	if (value === null || value === undefined)
		return '—';
	const key = `${prefix}.${value}`;
	return key in messages ? t(key) : String(value);
}

// Dates from the API are ISO 8601 (or Unix seconds); shown in the
// browser's time zone, in the language's usual form.
export function when(v) {
	if (v === null || v === undefined || v === '')
		return '—';
	const d = typeof v === 'number' ? new Date(v * 1000) : new Date(v);
	if (Number.isNaN(d.getTime()))
		return String(v);
	return d.toLocaleString(lang === 'en' ? 'en-GB' : 'ja-JP', {
		year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
	});
}
