#!/usr/bin/env python3
"""gen_text_pdf.py OUT [PAGES] - a text-only PDF for bench/cdr/run: PAGES
(default 50) A4 pages of 58 lines of 10-point Helvetica each, the dense
kind of page a council report or a contract has.  Deterministic; base-14
font, so no font file is embedded or needed."""
import sys
pages = int(sys.argv[2]) if len(sys.argv) > 2 else 50
words = ("information security policy segment sanitize network resident data audit "
         "municipal office records privacy contract incident response training review").split()
objs = []
objs.append(b"<< /Type /Catalog /Pages 2 0 R >>")
kids = " ".join("%d 0 R" % (4 + 2 * i) for i in range(pages))
objs.append(("<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages)).encode())
objs.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
for i in range(pages):
    lines = ["BT /F1 10 Tf 12 TL 56 790 Td"]
    lines.append("/F1 16 Tf (Section %d: information security) Tj T* T* /F1 10 Tf" % (i + 1))
    for l in range(58):
        w = " ".join(words[(i * 7 + l * 3 + k) % len(words)] for k in range(14))
        lines.append("(%d.%d %s) Tj T*" % (i + 1, l + 1, w))
    lines.append("ET")
    lines.append("0.2 0.4 0.8 rg 56 40 480 4 re f")
    data = "\n".join(lines).encode()
    objs.append(("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)).encode())
    objs.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")
out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
offs = []
for n, o in enumerate(objs):
    offs.append(len(out))
    out += b"%d 0 obj\n" % (n + 1) + o + b"\nendobj\n"
x = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for o in offs:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, x)
open(sys.argv[1], "wb").write(out)
