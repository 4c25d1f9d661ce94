# store-corrupt - a flipped byte in a blob file: fsck exits 1 naming the
# blob, get exits 3 and writes nothing; --repair moves the file to
# lost+found (never deletes it) and putting the original back heals it.
. "$(dirname "$0")/lib.sh"

printf 'original attachment bytes' >"$T/orig"
run 0 store put "$T/orig"
id=$(cut -d' ' -f1 "$T/out")
blob="$D/blobs/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-4)/$id"
[ -f "$blob" ] || fail "blob file not at $blob"

chmod u+w "$blob"
python3 - "$blob" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, 'rb').read())
b[3] ^= 1
open(p, 'wb').write(bytes(b))
PY

run 1 store fsck
expect_out "^corrupt +$id"
run 1 --json store fsck
json "not d['clean'] and d['problems'][0]['kind'] == 'corrupt' and d['problems'][0]['id'] == '$id'"

run 3 store get "$id" -o "$T/out.bin"
expect_err "blob $id is corrupt"
[ ! -e "$T/out.bin" ] || fail "get wrote a corrupt blob"
run 3 store get "$id"
[ ! -s "$T/out" ] || fail "get printed bytes of a corrupt blob"

run 1 store fsck --repair
expect_out 'moved to .*lost\+found'
[ -n "$(ls "$D/lost+found")" ] || fail "lost+found is empty"
run 1 store fsck
expect_out "^missing +$id"
run 0 store put "$T/orig"
run 0 store fsck
run 0 store get "$id"
cmp -s "$T/orig" "$T/out" || fail "healed blob differs"
run 0 --json audit show
json "any(r['action'] == 'store.repair' and r['object'] == '$id' for r in d['records'])"
