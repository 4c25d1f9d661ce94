# store-basic - put, get, info and fsck through the real binary: ids are
# SHA-256, puts are idempotent and audited, get verifies and writes where
# asked, fsck of a good store exits 0.
. "$(dirname "$0")/lib.sh"

printf 'hello' >"$T/a.txt"
printf 'second file\n' >"$T/b.txt"
ida=$(python3 -c 'import hashlib,sys; print(hashlib.sha256(open(sys.argv[1],"rb").read()).hexdigest())' "$T/a.txt")

# Reading commands on a data directory without a store say how to make one.
mkdir -p "$D"
run 3 store info
expect_err "store put"

run 0 --actor alice store put "$T/a.txt" "$T/b.txt"
expect_out "^$ida  $T/a.txt\$"
run 0 --json store put "$T/a.txt"
json "d['blobs'][0]['id'] == '$ida' and d['blobs'][0]['size'] == 5"
printf 'from stdin' | "$KYOJIN" store put - >"$T/out" 2>"$T/err" || fail "put - failed"
expect_out '^[0-9a-f]{64}  -$'

run 0 --json store info
json "d['blobs'] == 3 and d['bytes'] == 5 + 12 + 10 and d['backend'] == 'sqlite'"
json "d['schema_version'] == d['schema_version_supported'] and d['schema_version'] >= 2"
run 0 store info
expect_out '^schema_version: [0-9]+'

run 0 store get "$ida"
[ "$(cat "$T/out")" = hello ] || fail "get printed the wrong bytes"
run 0 store get "$ida" -o "$T/copy"
cmp -s "$T/a.txt" "$T/copy" || fail "get -o wrote the wrong bytes"
run 0 --json store get "$ida"
json "d['content_base64'] == 'aGVsbG8='"

run 3 store get 0000000000000000000000000000000000000000000000000000000000000000
expect_err 'no blob 0{64}'
run 3 store get ../../etc/passwd
expect_err 'is not a blob id'
run 2 store get
run 2 store put

run 0 store fsck
expect_out 'store is consistent'
run 0 --json store fsck
json "d['clean'] and d['problems'] == [] and d['stats']['files'] == 3"

# Every put is in the audit trail, with the blob id as its object.
run 0 --json audit show
json "len([r for r in d['records'] if r['action'] == 'store.put']) == 4"
json "any(r['object'] == '$ida' and r['actor'] == 'alice' for r in d['records'])"
run 0 audit verify
