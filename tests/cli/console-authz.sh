#!/bin/sh
# console-authz: see tests/console/test_authz.py (a console started on loopback
# by the test, stopped by it).
. "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || exit 77
exec python3 "$KJ_SOURCE_ROOT/tests/console/test_authz.py"
