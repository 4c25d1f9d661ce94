#!/bin/sh
# console-auth: kyojin-console's login, sessions, CSRF, TOTP, lockout,
# security headers, static files and hostile requests
# (tests/console/test_auth.py drives a console it starts on loopback).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || exit 77
exec python3 "$KJ_SOURCE_ROOT/tests/console/test_auth.py"
