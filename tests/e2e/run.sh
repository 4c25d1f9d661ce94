#!/bin/sh
# run.sh SCENARIO - one end-to-end test of the web console (meson test e2e/*).
# Skips (77) only when Node.js or Chromium is not installed; a missing
# playwright-core is a failure that says how to install it.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
scenario=$1

node=$(command -v node || true)
chromium=${KJ_CHROMIUM:-/usr/bin/chromium}
if [ -z "$node" ]; then
	echo "SKIP: node is not installed (Debian package nodejs)"
	exit 77
fi
if [ ! -x "$chromium" ]; then
	echo "SKIP: $chromium is not installed (Debian package chromium)"
	exit 77
fi
if [ ! -f "$here/node_modules/playwright-core/package.json" ]; then
	echo "playwright-core is not installed: run scripts/e2e-deps (npm ci in tests/e2e)" >&2
	exit 1
fi
exec "$node" "$here/$scenario.mjs"
