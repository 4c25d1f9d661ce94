# banned - no banned C functions in the sources (as curl's checksrc does):
# they either overflow buffers or hide errors; GLib has safe forms.
cd "${KJ_SOURCE_ROOT:?}" || exit 99
pattern='(^|[^_a-zA-Z0-9.>])(sprintf|vsprintf|strcpy|strcat|strncpy|strtok|atoi|atol|sscanf|gets)[[:space:]]*\('
if grep -rnE "$pattern" --include='*.c' --include='*.h' src tests bench 2>/dev/null; then
	echo "banned functions used (see above): use g_snprintf, g_strlcpy, g_strsplit, g_ascii_strtoll ..." >&2
	exit 1
fi
exit 0
