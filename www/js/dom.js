// dom.js - building the page from DOM nodes only.
//
// Every piece of text, whatever its origin (a mail's subject, a file
// name, a ledger value), becomes a Text node: nothing is ever parsed as
// HTML, so nothing that came from outside can become markup or script.

// h('button', {class: 'primary', onclick: fn}, 'text', child...)
// Attributes: class, text; on<event> adds a listener; a value of false,
// null or undefined leaves the attribute out; true sets it empty.
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	if (attrs) {
		for (const [k, v] of Object.entries(attrs)) {
			if (v === false || v === null || v === undefined)
				continue;
			if (k.startsWith('on') && typeof v === 'function')
				el.addEventListener(k.slice(2), v);
			else if (k === 'class')
				el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
			else if (k === 'text')
				el.textContent = String(v);
			else if (k === 'value' && 'value' in el)
				el.value = String(v);
			else if (k === 'checked' || k === 'selected' || k === 'disabled')
				el[k] = Boolean(v);
			else
				el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

// Replaces every child of el.
export function replace(el, ...children) {
	el.replaceChildren();
	return append(el, children);
}

let uniq = 0;
export function uid(prefix) {
	uniq += 1;
	return `${prefix}-${uniq}`;
}

// A labelled form field: the label's for= names the control's id.
export function field(label, control, help) {
	if (!control.id)
		control.id = uid('f');
	const parts = [h('label', {for: control.id}, label), control];
	if (help) {
		const hid = uid('help');
		control.setAttribute('aria-describedby', hid);
		parts.push(h('p', {class: 'help', id: hid}, help));
	}
	return h('div', {class: 'field'}, parts);
}

// A table of rows: columns are [{label, cell(row) -> node|string, class}].
export function table(caption, columns, rows, opts = {}) {
	const thead = h('thead', null,
		h('tr', null, columns.map((c) => h('th', {scope: 'col', class: c.class}, c.label))));
	const tbody = h('tbody', null, rows.map((r) => {
		const tr = h('tr', {class: opts.rowClass ? opts.rowClass(r) : null},
			columns.map((c) => h('td', {class: c.class, 'data-label': c.label}, c.cell(r))));
		return tr;
	}));
	return h('table', {class: ['data', opts.class]},
		caption ? h('caption', null, caption) : null, thead, tbody);
}

export function definitionList(pairs) {
	return h('dl', {class: 'props'}, pairs.filter((p) => p).map(([k, v]) =>
		[h('dt', null, k), h('dd', null, v === null || v === undefined || v === '' ? '—' : v)]));
}

// Bytes for people: 1.2 MB, 340 KB.
export function bytes(n) {
	if (typeof n !== 'number' || !Number.isFinite(n))
		return '—';
	const units = ['B', 'KB', 'MB', 'GB'];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) {
		n /= 1024;
		i += 1;
	}
	return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
