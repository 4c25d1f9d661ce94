# store-not-writable - a data directory that cannot be created or written
# fails with exit 3 and a message naming it.  Its parent is a regular
# file, which stops root as well (CI runs as root, where chmod does not).
. "$(dirname "$0")/lib.sh"

printf 'x' >"$T/x"
: >"$T/plainfile"
bad="$T/plainfile/var"

run 3 --data-dir "$bad" store put "$T/x"
expect_err "$bad"
run 3 --data-dir "$bad" store info
expect_err "$bad"
run 3 --data-dir "$bad" store fsck
[ ! -e "$bad" ] || fail "something was created"

# A blobs path that is a file inside an otherwise good data directory.
mkdir -p "$D"
: >"$D/blobs"
run 3 store put "$T/x"
expect_err 'blobs'
