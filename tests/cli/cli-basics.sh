# cli-basics - dispatch, help at every level, version, exit codes, global
# options anywhere, configuration errors, unwritable data directory.
. "$(dirname "$0")/lib.sh"

run 0 --help
expect_out 'Usage: kyojin'
expect_out 'audit'
run 0 --version
expect_out '^kyojin [0-9]+\.[0-9]+'
run 2
expect_err 'Usage: kyojin'

# Every noun and every verb answers --help with exit 0.
for noun in $("$KYOJIN" --help | sed -n '/^Nouns:/,/^$/p' | awk 'NR>1 && NF {print $1}'); do
	run 0 "$noun" --help
	expect_out "Usage: kyojin $noun VERB"
	for verb in $("$KYOJIN" "$noun" --help | sed -n '/^Verbs:/,/^$/p' | awk 'NR>1 && NF {print $1}'); do
		run 0 "$noun" "$verb" --help
		expect_out "kyojin $noun $verb"
		expect_out 'Global options'
	done
done

# Usage errors: unknown noun, verb, option; missing verb; missing value.
run 2 frobnicate
expect_err "unknown command 'frobnicate'"
run 2 audit frobnicate
expect_err "unknown command 'audit frobnicate'"
run 2 audit show --no-such-option
expect_err 'no-such-option'
run 2 audit
run 2 audit show --data-dir
expect_err 'needs a value'
run 2 --json frobnicate
json 'd["error"]["exit_code"] == 2'

# Global options are accepted before and after the command.
run 0 --json config show
json 'd["format_version"] == 1 and d["data_dir"] == "'"$D"'"'
run 0 config show --json --data-dir "$T/other"
json 'd["data_dir"] == "'"$T/other"'"'
run 0 --data-dir="$T/third" config show --json
json 'd["data_dir"] == "'"$T/third"'"'

# Configuration: valid, invalid with file:line:column and key, unreadable.
cat >"$T/good.yaml" <<'Y'
audit:
  lock_timeout_s: 7
Y
run 0 --config "$T/good.yaml" --json config show
json 'd["settings"]["audit.lock_timeout_s"] == 7'
cat >"$T/bad.yaml" <<'Y'
store:
  max_blob_bytes: lots
Y
run 3 --config "$T/bad.yaml" config show
expect_err "bad.yaml:2:19: key 'store.max_blob_bytes': value 'lots'"
run 3 config check "$T/bad.yaml"
expect_err 'bad.yaml:2:19'
printf 'audit:\n  lock_timout_s: 7\n' >"$T/typo.yaml"
run 3 config check "$T/typo.yaml"
expect_err "typo.yaml:2:3: unknown key 'audit.lock_timout_s'"
printf '\000\001binary\377' >"$T/binary.yaml"
run 3 config check "$T/binary.yaml"
run 3 --config "$T/missing.yaml" config show
expect_err 'cannot read configuration'
KYOJIN_CONFIG="$T/bad.yaml" run 3 config show
run 0 config check "$KJ_SOURCE_ROOT/examples/kyojin.yaml"
run 0 --json config keys
json 'any(k["key"] == "audit.max_record_bytes" for k in d["keys"])'

# A data directory that cannot be created or written (a path under a
# regular file fails for root too): clear error, exit 3.
: >"$T/afile"
run 3 --data-dir "$T/afile/var" audit append --action a --object b
expect_err 'afile/var'
run 3 --data-dir "$T/nonexistent" audit verify
expect_err 'does not exist'
exit 0
