# gateway-tls: STARTTLS with a configured certificate (OpenSSL): a message
# over TLS is accepted and delivered; EHLO after TLS no longer offers
# STARTTLS; handshakes aborted (garbage instead of a ClientHello, a
# connection closed half-way through) close that connection only and
# count in kyojind_tls_failed_total; a client that does not verify
# gets the server certificate; a mismatched key is refused by --check-config.
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 2 \
	-keyout "$T/key.pem" -out "$T/cert.pem" 2>/dev/null || fail "openssl req"
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=other -days 2 \
	-keyout "$T/key2.pem" -out "$T/cert2.pem" 2>/dev/null || fail "openssl req"
cat >"$T/kyojin.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
  tls_cert: $T/cert.pem
  tls_key: $T/key.pem
gateway:
  metrics_listen: 127.0.0.1:0
EOC
sed "s#$T/key.pem#$T/key2.pem#" "$T/kyojin.yaml" >"$T/bad.yaml"
"$KYOJIND" --check-config --config "$T/bad.yaml" 2>"$T/err" && fail "mismatched key accepted"
expect_err "tls_cert"
gw_start "$T/kyojin.yaml"
python3 - "$PORT" <<'PY' || fail "aborted handshakes"
import socket, sys
p = int(sys.argv[1])
def starttls():
    c = socket.create_connection(("127.0.0.1", p), timeout=30)
    f = c.makefile("rb")
    f.readline()
    c.sendall(b"EHLO t\r\n")
    while f.readline()[3:4] == b"-":
        pass
    c.sendall(b"STARTTLS\r\n")
    assert f.readline().startswith(b"220"), "no 220 to STARTTLS"
    return c, f
# Garbage instead of a ClientHello: the server closes.
c, f = starttls()
c.sendall(b"this is not TLS at all\r\n" * 10)
assert f.read() == b"", "server answered garbage"
# Half a ClientHello, then the client goes away.
c, f = starttls()
c.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
c.close()
PY
python3 - "$PORT" "$T/cert.pem" <<'PY' || fail "STARTTLS delivery"
import smtplib, ssl, sys
s = smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=30)
s.ehlo()
assert s.has_extn("starttls")
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.check_hostname = False
s.starttls(context=ctx)
s.ehlo()
assert not s.has_extn("starttls"), "STARTTLS offered again under TLS"
s.sendmail("a@example.net", ["b@city.lg.jp"], b"Subject: over tls\r\n\r\nsecret\r\n")
s.quit()
PY
$GW settled "$KYOJIN" "$D" 1 || fail "TLS message not delivered"
grep -l "over tls" "$D"/maildir/new/* >/dev/null || fail "TLS message not in the Maildir"
python3 -c 'import urllib.request,sys; sys.stdout.write(urllib.request.urlopen("http://127.0.0.1:%s/" % sys.argv[1]).read().decode())' "$MPORT" >"$T/out"
expect_out "^kyojind_tls_failed_total [12]$"
gw_stop
