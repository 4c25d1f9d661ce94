# gateway-relay: delivery over SMTP to an LGWAN relay (a tiny python3
# SMTP sink): relay answering 4xx (deferred with backoff, then delivered
# when it recovers), 5xx (held with the reply), unreachable (deferred,
# then held when the queue lifetime is over), and backpressure (452 at
# MAIL when the disk is "full": gateway.min_free_bytes above what is free).
. "$KJ_SOURCE_ROOT/tests/cli/gateway-lib.sh"
gw_sink tempfail
cat >"$T/relay.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  delivery: smtp
  relay: 127.0.0.1:$SINK
  retry_initial_s: 1
  retry_max_s: 2
EOC
gw_start "$T/relay.yaml"
# 4xx: deferred, attempts counted, the relay's reply kept.
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/02-html-newsletter.eml"
$GW wait-entry "$KYOJIN" "$D" "e['attempts'] >= 1 and '451' in (e['last_error'] or '')" ||
	fail "4xx not deferred"
# The relay recovers: the next attempt delivers the sanitized message.
echo accept >"$T/mode"
$GW settled "$KYOJIN" "$D" 1 || fail "not delivered after the relay recovered"
grep -q "text/html" "$T"/sunk/* && fail "relay got HTML: not the sanitized version"
grep -q "^Subject:" "$T"/sunk/msg0 || fail "relay got no message"
# 5xx: held with the reply.
echo permfail >"$T/mode"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/01-iso2022jp-outlook.eml"
$GW wait-entry "$KYOJIN" "$D" "e['state'] == 'held' and '550' in (e['reason'] or '')" ||
	fail "5xx not held"
gw_stop

# Unreachable relay, lifetime 2 s: deferred, then held.
cat >"$T/down.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  delivery: smtp
  relay: 127.0.0.1:1
  retry_initial_s: 1
  retry_max_s: 1
  max_queue_lifetime_s: 2
EOC
gw_start "$T/down.yaml"
$GW send "$PORT" "$KJ_SOURCE_ROOT/examples/mail/06-forwarded-rfc822.eml"
$GW wait-entry "$KYOJIN" "$D" "'connect' in (e['last_error'] or '')" || fail "unreachable relay not deferred"
$GW wait-entry "$KYOJIN" "$D" "e['state'] == 'held' and 'lifetime' in (e['reason'] or '')" ||
	fail "lifetime not enforced"
gw_stop

# Backpressure: the spool disk is "full".
cat >"$T/full.yaml" <<EOC
data_dir: $D
smtp:
  listen: 127.0.0.1:0
gateway:
  min_free_bytes: 1024G
EOC
gw_start "$T/full.yaml"
got=$($GW talk "$PORT" 'EHLO t\r\nMAIL FROM:<a@example.net>\r\nQUIT\r\n')
[ "$got" = "220 250 452 221" ] || fail "full disk: replies '$got', expected 452 at MAIL"
gw_stop
run 0 audit verify
