# format - every C source is formatted with the repository's .clang-format.
cd "${KJ_SOURCE_ROOT:?}" || exit 99
command -v clang-format >/dev/null || exit 77
bad=0
for f in $(git ls-files '*.c' '*.h' 2>/dev/null || find src tests bench -name '*.[ch]'); do
	[ -f "$f" ] || continue
	if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
		echo "not formatted: $f (run clang-format -i $f)" >&2
		bad=1
	fi
done
exit $bad
