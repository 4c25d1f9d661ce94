#!/bin/sh
# file-ole2-faults.sh - the legacy Office converter failing in every way
# kyojin must survive: not installed, hanging (killed with its whole
# process group at cdr.convert_timeout_s), crashing, writing nothing,
# writing something that is not a PDF, writing a damaged PDF.  Each case
# holds the document with the reason and writes no output.  The
# misbehaving converters are shell programs standing in for a broken
# LibreOffice; they also record what the converter process sees (its
# environment and network interfaces), which must be empty and loopback
# only.  Reads a real .doc from $KJ_CORPUS.
. "$(dirname "$0")/lib.sh"

doc="$CORPUS/office/oletools/msodde/harmless-clean.doc"
[ -n "$CORPUS" ] && [ -f "$doc" ] || exit 77
# Run as root, the converter runs as nobody: it must reach TMPDIR, and
# the fakes write what they saw into a directory anyone may write.
chmod 711 "$T"
mkdir -p "$T/tmp" "$T/seen"
chmod 1777 "$T/seen"
export TMPDIR="$T/tmp"

# held CONVERTER REASON-PATTERN [config]: the doc is held naming REASON.
held() {
	conv=$1 pat=$2
	shift 2
	rm -f "$T/o.pdf" "$T/r.json"
	run 1 "$@" file sanitize "$doc" -o "$T/o.pdf" --report "$T/r.json" --converter "$conv"
	python3 - "$T/r.json" "$pat" <<'PY' || fail "$conv: not held with /$pat/"
import json, re, sys
r = json.load(open(sys.argv[1]))
assert r["verdict"] == "held", r
assert re.search(sys.argv[2], r["reason"]), r["reason"]
assert r["output_sha256"] is None and r["detected_type"] == "application/msword", r
PY
	[ ! -e "$T/o.pdf" ] || fail "$conv: output written for a held file"
	[ -z "$(ls -A "$T/tmp")" ] || { ls -la "$T/tmp" >&2; fail "$conv: temporary files left"; }
}

# Without a converter in the profile: held, the reason says how to get one.
held "" 'unless the profile names a converter'
# Named but absent.
held "$T/no-such-soffice" 'not an executable file'
held kj-no-such-converter 'is not installed'

# fake NAME BODY: an executable converter script.  It gets soffice's
# arguments: ... --outdir DIR FILE.
fake() {
	{
		echo '#!/bin/sh'
		echo 'while [ $# -gt 1 ]; do [ "$1" = --outdir ] && out=$2; shift; done'
		echo "$2"
	} >"$T/$1"
	chmod +x "$T/$1"
}

# A converter that never finishes and leaves a helper behind.  Helpers are
# found by a unique argument: inside a PID namespace $! is not the pid the
# test sees.
fake hang "sleep 100124 & exec sleep 1000"
printf 'cdr:\n  convert_timeout_s: 1\n' >"$T/short.yaml"
held "$T/hang" 'did not finish within 1 s' --config "$T/short.yaml"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert any("convert_timeout_s" in l for l in r["limits_hit"]), r' "$T/r.json" ||
	fail "time-out not in limits_hit"
i=0
while pgrep -f 'sleep 100124' >/dev/null; do
	i=$((i + 1))
	[ $i -lt 500 ] || fail "the converter's helper survived the time-out"
	sleep 0.01
done

# A helper that leaves the process group (setsid) is still killed when the
# converter ends, by its PID namespace, where the kernel gives one.
fake escape 'setsid sleep 100123 </dev/null >/dev/null 2>&1 & exit 0'
held "$T/escape" 'produced no PDF'
if unshare -fp true 2>/dev/null || unshare -rfp true 2>/dev/null; then
	i=0
	while pgrep -f 'sleep 100123' >/dev/null; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "a helper that left the process group survived"
		sleep 0.01
	done
fi

# Writes past cdr.max_output_bytes: stopped by its file size limit.
printf 'cdr:\n  max_output_bytes: 1048576\n' >"$T/small.yaml"
fake big 'exec head -c 3000000 /dev/zero >"$out/document.pdf"'
held "$T/big" 'wrote more than 1048576 bytes' --config "$T/small.yaml"

# Crashes: a real segmentation fault (a signal it sends itself would be
# ignored by a namespace's init).
fake crash "exec /usr/bin/python3 -c 'import ctypes; ctypes.string_at(0)'"
held "$T/crash" 'crashed \(signal 11'
# Fails loudly.
fake loud 'echo "Error: source file could not be loaded" >&2; exit 3'
held "$T/loud" 'failed \(exit 3\).*source file could not be loaded'
# Exits 0 and writes nothing (what LibreOffice does with a file it cannot read).
fake quiet 'echo "Error: source file could not be loaded"; exit 0'
held "$T/quiet" 'produced no PDF.*could not be loaded'
# Writes garbage.
fake garbage 'head -c 4096 /dev/urandom >"$out/document.pdf"'
held "$T/garbage" 'output is not a PDF'
# Writes a damaged PDF: the PDF sanitizer refuses it, the document is held.
fake badpdf 'printf "%%PDF-1.7\n1 0 obj <</Type/Catalog/Pages 9 0 R>>\ntrailer<</Root 1 0 R>>\n" >"$out/document.pdf"'
held "$T/badpdf" "converter's PDF"
# A symbolic link instead of a file is not followed.
fake link 'ln -s /etc/passwd "$out/document.pdf"'
held "$T/link" 'produced no PDF'

# What the converter process sees: no environment, only loopback.
fake spy "env >$T/seen/env.txt; cat /proc/net/dev >$T/seen/net.txt; id -u >$T/seen/uid.txt; exit 0"
export KJ_SECRET=kj-secret-value
run 1 file sanitize "$doc" -o "$T/o.pdf" --converter "$T/spy"
[ -s "$T/seen/net.txt" ] || fail "the spy did not run"
! grep -q kj-secret-value "$T/seen/env.txt" || fail "the converter inherited the environment"
grep -vE '^(PWD|SHLVL|_|OLDPWD)=' "$T/seen/env.txt" | grep -q . && { cat "$T/seen/env.txt" >&2; fail "the converter has an environment"; }
if [ "$(id -u)" = 0 ]; then
	[ "$(cat "$T/seen/uid.txt")" != 0 ] || fail "the converter ran as root"
fi
ifaces=$(tail -n +3 "$T/seen/net.txt" | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
if unshare -n true 2>/dev/null || unshare -rn true 2>/dev/null; then
	[ "$ifaces" = "lo " ] || fail "the converter sees network interfaces: $ifaces"
fi

# Inside an archive, legacy Office is not converted: the archive is held.
python3 - "$doc" "$T/a.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[2], "w") as z:
    z.write(sys.argv[1], "minutes.doc")
PY
run 1 file sanitize "$T/a.zip" -o "$T/a.out.zip" --report "$T/r.json" --converter "$T/spy"
grep -q 'inside an archive is not converted' "$T/r.json" || { cat "$T/r.json" >&2; fail "OLE2 in zip"; }
exit 0
