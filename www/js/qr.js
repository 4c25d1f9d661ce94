// qr.js - a QR code as SVG elements (for the TOTP enrolment URI).
//
// The matrix comes from the vendored qrcode-generator (scripts/vendor-www);
// the SVG is built with DOM calls, one rect per dark module, so no markup
// string is ever parsed.

import qrcode from '../vendor/qrcode-generator/qrcode.mjs';

const NS = 'http://www.w3.org/2000/svg';

export function qrSvg(text, title) {
	const qr = qrcode(0, 'M');
	qr.addData(text, 'Byte');
	qr.make();
	const n = qr.getModuleCount();
	const quiet = 4;
	const size = n + 2 * quiet;
	const svg = document.createElementNS(NS, 'svg');
	svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
	svg.setAttribute('width', String(size * 5));
	svg.setAttribute('height', String(size * 5));
	svg.setAttribute('role', 'img');
	svg.setAttribute('shape-rendering', 'crispEdges');
	const tt = document.createElementNS(NS, 'title');
	tt.textContent = title;
	svg.append(tt);
	const bg = document.createElementNS(NS, 'rect');
	bg.setAttribute('width', String(size));
	bg.setAttribute('height', String(size));
	bg.setAttribute('fill', '#fff');
	svg.append(bg);
	// One path for all dark modules keeps the DOM small.
	let d = '';
	for (let r = 0; r < n; r++)
		for (let c = 0; c < n; c++)
			if (qr.isDark(r, c))
				d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
	const path = document.createElementNS(NS, 'path');
	path.setAttribute('d', d);
	path.setAttribute('fill', '#000');
	svg.append(path);
	return svg;
}
