#!/usr/bin/env python3
"""Writes the sample mails of examples/mail (self-written, for the README's
main job and the CLI tests).  Deterministic: same script, same bytes.
Usage: make-examples.py [OUTDIR]   (default: this directory)"""
import base64, io, os, struct, sys, zipfile

out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
HDR = ("From: =?UTF-8?B?{fromb}?= <{fromaddr}>\nTo: soumu@city.example.lg.jp\n"
       "Date: Mon, 1 Apr 2024 09:{mm:02d}:00 +0900\nMessage-ID: <{mid}@example.co.jp>\n"
       "Subject: {subject}\nMIME-Version: 1.0\n")

def b64w(b):
    s = base64.b64encode(b).decode()
    return "\n".join(s[i:i + 76] for i in range(0, len(s), 76))

def ew(text, cs="UTF-8"):
    return "=?%s?B?%s?=" % (cs, base64.b64encode(text.encode("utf-8") if cs == "UTF-8" else text).decode())

def jis(text):
    """ISO-2022-JP with the Windows (CP932) rows, as Outlook sends it."""
    outb, kanji = bytearray(), False
    for ch in text:
        if ord(ch) < 0x80:
            if kanji:
                outb += b"\x1b(B"; kanji = False
            outb += ch.encode()
            continue
        s = ch.encode("cp932")
        c1, c2 = s[0], s[1]
        c1 -= 0x70 if c1 < 0xa0 else 0xb0
        c1 *= 2
        if c2 < 0x9f:
            c1 -= 1; c2 -= 0x1f if c2 < 0x7f else 0x20
        else:
            c2 -= 0x7e
        if not kanji:
            outb += b"\x1b$B"; kanji = True
        outb += bytes([c1, c2])
    if kanji:
        outb += b"\x1b(B"
    return bytes(outb)

def write(name, text):
    with open(os.path.join(out, name), "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode("utf-8"))

def hdr(subject, mm, mid, frm="山田 太郎", addr="yamada@example.co.jp"):
    return HDR.format(fromb=base64.b64encode(frm.encode()).decode(), fromaddr=addr, mm=mm,
                      mid=mid, subject=subject)

# 1. Outlook-style ISO-2022-JP business mail with ① ㈱ ～ 髙 Ⅲ.
body = ("総務課 ご担当者様\n\n㈱サンプル商事の髙橋です。いつもお世話になっております。\n"
        "下記の通りお見積りいたします。\n\n①機器保守 ～令和6年度～\n②消耗品一式\n"
        "Ⅲ期分の請求は別途お送りします。\n\n詳細: https://www.example.co.jp/quote/2024\n")
write("01-iso2022jp-outlook.eml",
      hdr("=?ISO-2022-JP?B?%s?=" % base64.b64encode(jis("①お見積りの件（㈱サンプル商事）")).decode(), 1,
          "ex1").encode() +
      b"Content-Type: text/plain; charset=ISO-2022-JP\nContent-Transfer-Encoding: 7bit\n\n" +
      jis(body))

# 2. HTML newsletter: script, style, tracking pixel, hidden text, phishing link.
html = """<html><head><style>p{color:#333}</style><script>document.location='https://evil.example.net/'</script></head>
<body><h1>市民サービス通信 4月号</h1>
<p style="display:none">hidden tracking text</p>
<p>オンライン手続きが始まりました。ログインは <a href="https://login.evil.example.net/city">https://www.city.example.lg.jp/login</a> から。</p>
<ul><li>窓口の受付時間</li><li>税の申告</li></ul>
<table><tr><td>項目</td><td>金額</td></tr><tr><td>手数料</td><td>300円</td></tr></table>
<img src="https://track.example.net/open.gif?u=123" width="1" height="1">
<img src="logo.png" alt="市のロゴ"></body></html>
"""
write("02-html-newsletter.eml",
      hdr(ew("市民サービス通信 4月号"), 2, "ex2", "市民サービス通信", "news@example.net") +
      "Content-Type: multipart/alternative; boundary=\"alt\"\n\n--alt\n"
      "Content-Type: text/html; charset=UTF-8\nContent-Transfer-Encoding: base64\n\n" +
      b64w(html.encode()) + "\n--alt--\n")

# 3. Attachments: .docx (a tiny OOXML zip), .pdf, .zip.
def docx():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>議事録</w:t></w:r></w:p></w:body></w:document>')
    return b.getvalue()
pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
class CP932Info(zipfile.ZipInfo):
    """A member name in CP932 without the UTF-8 flag, as Windows' Explorer
    writes it (Python's zipfile would write UTF-8 and set the flag)."""
    def _encodeFilenameFlags(self):
        return self.filename.encode("cp932"), self.flag_bits

def plainzip():
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w") as z:
        z.writestr(CP932Info("名簿.csv"), "氏名,所属\n".encode("cp932"))
    return b.getvalue()
def part(name, ctype, data):
    return ("--mix\nContent-Type: %s; name=\"%s\"\nContent-Disposition: attachment; filename*=UTF-8''%s\n"
            "Content-Transfer-Encoding: base64\n\n%s\n" % (ctype, ew(name), "".join("%%%02X" % c for c in name.encode()), b64w(data)))
write("03-attachments.eml",
      hdr(ew("会議資料の送付"), 3, "ex3") + "Content-Type: multipart/mixed; boundary=\"mix\"\n\n"
      "--mix\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "会議資料を添付します。ご確認ください。\n" +
      part("議事録.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx()) +
      part("資料.pdf", "application/pdf", pdf) + part("名簿.zip", "application/zip", plainzip()) + "--mix--\n")

# 4 and 5. PPAP: an encrypted zip, then the password in a second mail.
def encrypted_zip():
    name = "契約書.pdf".encode("utf-8")
    data = bytes(range(64))
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0x0801, 0, 0, 0, 0, len(data) + 12, len(data), len(name), 0) + name + bytes(12) + data
    cd = struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0x0801, 0, 0, 0, 0, len(data) + 12, len(data), len(name), 0, 0, 0, 0, 0, 0) + name
    eocd = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(cd), len(local), 0)
    return local + cd + eocd
write("04-ppap-encrypted-zip.eml",
      hdr(ew("【送付】契約書"), 4, "ex4") + "Content-Type: multipart/mixed; boundary=\"mix\"\n\n"
      "--mix\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "契約書をお送りします。パスワードは別メールでお送りします。\n" +
      part("契約書.zip", "application/zip", encrypted_zip()) + "--mix--\n")
write("05-ppap-password.eml",
      hdr(ew("【パスワード】契約書"), 5, "ex5") +
      "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "先ほどお送りしたファイルのパスワードです。\nパスワード: Xy7#kP2q\n")

# 6. A forwarded message (message/rfc822) with an HTML body inside.
inner = (hdr(ew("障害報告"), 6, "inner6", "佐藤 花子", "sato@example.org") +
         "Content-Type: text/html; charset=UTF-8\n\n<p>昨夜 <b>サーバ</b> が停止しました。</p><script>x()</script>\n")
write("06-forwarded-rfc822.eml",
      hdr(ew("Fw: 障害報告"), 6, "ex6") + "Content-Type: multipart/mixed; boundary=\"fw\"\n\n"
      "--fw\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "ご参考までに転送します。\n--fw\nContent-Type: message/rfc822\n\n" + inner + "--fw--\n")

# 7. S/MIME encrypted (enveloped-data): held, cannot be inspected.
write("07-smime-encrypted.eml",
      hdr(ew("暗号化メール"), 7, "ex7") +
      "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=\"smime.p7m\"\n"
      "Content-Disposition: attachment; filename=\"smime.p7m\"\nContent-Transfer-Encoding: base64\n\n" +
      b64w(bytes.fromhex("3080") + bytes(range(200))) + "\n")

# 8. Outlook winmail.dat (TNEF) carrying one file.
def tnef_attr(level, atype, aid, data):
    return struct.pack("<BIi", level, (atype << 16) | aid, len(data)) + data + struct.pack("<H", sum(data) & 0xffff)
tnef = (struct.pack("<IH", 0x223E9F78, 0x0001) +
        tnef_attr(1, 0x0008, 0x9006, struct.pack("<I", 0x00010000)) +
        tnef_attr(2, 0x0006, 0x9002, bytes(14)) +
        tnef_attr(2, 0x0001, 0x8010, "見積書.txt".encode("cp932") + b"\0") +
        tnef_attr(2, 0x0006, 0x800F, "お見積り金額: 10,000円\n".encode("cp932")))
write("08-winmail-dat.eml",
      hdr(ew("見積書（Outlook）"), 8, "ex8") + "Content-Type: multipart/mixed; boundary=\"mix\"\n\n"
      "--mix\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "見積書を送ります。\n--mix\nContent-Type: application/ms-tnef; name=\"winmail.dat\"\n"
      "Content-Disposition: attachment; filename=\"winmail.dat\"\nContent-Transfer-Encoding: base64\n\n" +
      b64w(tnef) + "\n--mix--\n")

# 9. A signed mail (multipart/signed): the signature is removed and the notice says so.
write("09-signed.eml",
      hdr(ew("署名付き通知"), 9, "ex9") +
      "Content-Type: multipart/signed; protocol=\"application/pkcs7-signature\"; micalg=sha-256; boundary=\"sig\"\n\n"
      "--sig\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n"
      "システム更新のお知らせです。\n--sig\nContent-Type: application/pkcs7-signature; name=\"smime.p7s\"\n"
      "Content-Transfer-Encoding: base64\n\n" + b64w(bytes.fromhex("3080") + bytes(64)) + "\n--sig--\n")
