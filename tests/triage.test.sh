#!/usr/bin/env bash
# triage.test.sh - batch triage of a folder built here from the fixtures (several eras, a .gz,
# corrupt dumps, files that are not dumps, duplicates): buckets, JSON Lines, errors, -j, stdin.
set -u
cd "$(dirname "$0")/.."
: "${LALSCAN:=build/asan/lalscan}"
: "${FIX:=fixtures}"
SYM=(-y "$FIX/drivers/bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; }
# check DESCRIPTION COMMAND...: ok when the command succeeds
check() {
    local d=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then ok "$d"; else nok "$d" "$(head -c 600 "$tmp/check.out" | tr '\n' ' ')"; fi
}
sanitizer_clean() { ! grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$@"; }

for tool in python3 gzip; do
    command -v $tool >/dev/null || nok "prerequisite" "$tool is not installed"
done

# --- the folder -----------------------------------------------------------------------------
D=$tmp/dumps
mkdir -p "$D/xp-2003" "$D/win7-11" "$D/small" "$D/incoming/bad" "$D/misc/deep/er"
cp "$FIX"/dumps/verifier-xp-x86.dmp "$FIX"/dumps/verifier-2003sp1-x86.dmp "$FIX"/dumps/verifier-2003-x64.dmp "$D/xp-2003/"
cp "$FIX"/dumps/verifier-win7-x64.dmp "$FIX"/dumps/verifier-win10-x64.dmp "$FIX"/dumps/verifier-win11-x64.dmp \
   "$FIX"/dumps/verifier-none-x64.dmp "$D/win7-11/"
cp "$FIX"/dumps/x64-triage.dmp "$FIX"/dumps/x86-triage.dmp "$FIX"/dumps/verifier-triage-x64.dmp "$D/small/"
cp "$FIX"/dumps/x64-bitmap-kernel.dmp.gz "$D/small/"
gzip -c "$FIX"/dumps/verifier-vista-x86.dmp >"$D/small/vista.dmp.gz"
# corrupt: a bad signature, absurd counts, a truncated copy, garbage behind a PAGE signature
cp "$FIX"/dumps/bad-x64-signature.dmp "$FIX"/dumps/bad-x64-bitmap-absurd.dmp "$D/incoming/bad/"
head -c 3000 "$FIX"/dumps/verifier-win10-x64.dmp >"$D/incoming/bad/truncated.dmp"
{ printf 'PAGEDU64'; head -c 9000 /dev/urandom; } >"$D/incoming/bad/garbage.dmp"
# the whole signature wiped: still a dump by its version fields (0xF, build 19041)
{ printf 'XXXXXXXX'; tail -c +9 "$FIX"/dumps/verifier-win11-x64.dmp; } >"$D/incoming/bad/wiped-signature.dmp"
# duplicates under other names (one without an extension)
cp "$FIX"/dumps/verifier-win10-x64.dmp "$D/incoming/copy-of-win10.dmp"
cp "$FIX"/dumps/x64-triage.dmp "$D/misc/deep/er/MEMORY"
# not dumps: text, a PDB, a driver image, an empty file, random bytes, a gzip'd text
cp README.md "$D/misc/notes.dmp"
cp "$FIX"/drivers/bin/laldrv-x64-O2.pdb "$FIX"/drivers/bin/laldrv-x64-O2.sys "$D/misc/"
: >"$D/misc/empty.dmp"
head -c 5000 /dev/urandom | tr -d 'P' >"$D/misc/random.bin"
gzip -c README.md >"$D/misc/readme.gz"
NBAD=5
NNOT=6
NDUMPS=$(($(find "$D" -type f | wc -l) - NNOT))

# --- the oracle: each dump alone, as `lalscan FILE --json` reports it -----------------------
: >"$tmp/oracle.jsonl"
while IFS= read -r f; do
    case "$f" in "$D/misc/"*.pdb|"$D/misc/"*.sys|*notes.dmp|*empty.dmp|*random.bin|*readme.gz) continue ;; esac
    "$LALSCAN" --json "${SYM[@]}" "$f" >>"$tmp/oracle.jsonl" 2>/dev/null
done < <(find "$D" -type f | LC_ALL=C sort)

# --- JSON Lines -----------------------------------------------------------------------------
"$LALSCAN" --json -j 1 "${SYM[@]}" "$D" >"$tmp/j1.jsonl" 2>"$tmp/j1.err"
rc1=$?
"$LALSCAN" --json -j 2 "${SYM[@]}" "$D" >"$tmp/j2.jsonl" 2>"$tmp/j2.err"
rc2=$?
[ "$rc1" = 3 ] && ok "folder with corrupt dumps: exit 3" || nok "folder with corrupt dumps: exit 3" "exit $rc1"
check "-j 1 and -j 2 give byte-identical JSON Lines" cmp "$tmp/j1.jsonl" "$tmp/j2.jsonl"
[ "$rc2" = "$rc1" ] && ok "-j 2 exit status as -j 1" || nok "-j 2 exit status as -j 1" "$rc2 vs $rc1"
check "no sanitizer report" sanitizer_clean "$tmp/j1.err" "$tmp/j2.err"
check "each document equals the single-file report of its dump, in path order" cmp "$tmp/oracle.jsonl" "$tmp/j1.jsonl"
check "one document per dump, one error record per corrupt file, sorted by path" python3 - "$tmp/j1.jsonl" "$NDUMPS" "$NBAD" <<'EOF'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
ndumps, nbad = int(sys.argv[2]), int(sys.argv[3])
paths = [d["dump"]["path"] for d in docs]
assert len(docs) == ndumps, (len(docs), ndumps)
assert paths == sorted(paths, key=lambda p: p.encode()), "not sorted"
assert len(set(paths)) == len(paths), "a path twice"
errs = [d["dump"]["path"] for d in docs if "error" in d]
assert len(errs) == nbad and all("/incoming/bad/" in p for p in errs), errs
assert all(d["schema"] == "lalscan.report/1" for d in docs)
assert not any("notes.dmp" in p or ".pdb" in p or "readme.gz" in p for p in paths), "a non-dump reported"
EOF

# --- text: bucket table and errors; -j independence ---------------------------------------
"$LALSCAN" -j 1 "${SYM[@]}" "$D" >"$tmp/t1.txt" 2>/dev/null
"$LALSCAN" -j 2 "${SYM[@]}" "$D" >"$tmp/t2.txt" 2>/dev/null
check "-j 1 and -j 2 give the same text" cmp "$tmp/t1.txt" "$tmp/t2.txt"
check "text: header counts dumps, errors and skipped files" \
    grep -q "$NDUMPS dumps (.*), $NBAD errors, $NNOT other files skipped" "$tmp/t1.txt"
check "text: the errors section names each corrupt file" python3 - "$tmp/t1.txt" <<'EOF'
import sys
t = open(sys.argv[1]).read()
errs = t.split("\nErrors (5):\n", 1)[1]
for name in ("bad-x64-signature.dmp", "bad-x64-bitmap-absurd.dmp", "truncated.dmp", "garbage.dmp",
             "wiped-signature.dmp"):
    assert name in errs, name
EOF

# --- bucket counts: summary file against the oracle ---------------------------------------
"$LALSCAN" -j 2 "${SYM[@]}" --summary "$tmp/summary.json" "$D" >/dev/null 2>&1
check "--summary: bucket counts, examples and counts match the single-file reports" \
    python3 - "$tmp/summary.json" "$tmp/oracle.jsonl" "$NNOT" <<'EOF'
import json, sys, collections
s = json.load(open(sys.argv[1]))
docs = [json.loads(l) for l in open(sys.argv[2])]
want = collections.Counter(d["bucket"] for d in docs if "error" not in d)
got = {b["bucket"]: b["count"] for b in s["buckets"]}
assert got == dict(want), (got, want)
first = {}
for d in docs:
    if "error" not in d:
        first.setdefault(d["bucket"], d["dump"]["path"])
for b in s["buckets"]:
    assert b["example"] == first[b["bucket"]], b
    assert b["bugcheck"].startswith("0x"), b
counts = [b["count"] for b in s["buckets"]]
assert counts == sorted(counts, reverse=True)
c = s["counts"]
assert s["schema"] == "lalscan.triage/1"
assert c["dumps"] == len(docs) and c["not_dumps"] == int(sys.argv[3]), c
assert c["errors"] == sum("error" in d for d in docs) and c["analyzed"] == len(docs)
assert c["found"] == sum(1 for d in docs if "error" not in d and d["bugcheck"]["code"] == "0xc4"), c
assert len(s["errors"]) == c["errors"] and all(e["message"] for e in s["errors"])
EOF
if python3 -c 'import jsonschema' 2>/dev/null; then
    check "--summary: valid against schema/lalscan.triage-1.schema.json" python3 - "$tmp/summary.json" <<'EOF'
import json, sys, jsonschema
schema = json.load(open("schema/lalscan.triage-1.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[1])))
EOF
    check "JSON Lines: every document (errors too) valid against schema/lalscan.report-1.schema.json" python3 - "$tmp/j1.jsonl" <<'EOF'
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open("schema/lalscan.report-1.schema.json")))
for line in open(sys.argv[1]):
    v.validate(json.loads(line))
EOF
else
    nok "schema validation" "python3-jsonschema is not installed (make deps installs it)"
fi
check "--summary: written under a temporary name (none left behind)" \
    bash -c "[ \$(ls '$tmp' | grep -c '^summary.json') = 1 ]"

# --- stdin lists ------------------------------------------------------------------------------
find "$D" -type f | LC_ALL=C sort -r | "$LALSCAN" --json -j 2 "${SYM[@]}" - >"$tmp/stdin.jsonl" 2>/dev/null
check "- reads paths from stdin (reverse order in, path order out, non-dumps skipped)" cmp "$tmp/j1.jsonl" "$tmp/stdin.jsonl"
printf '%s\n' "$D/xp-2003/verifier-xp-x86.dmp" "$tmp/no/such.dmp" | "$LALSCAN" --json - >"$tmp/missing.jsonl" 2>/dev/null
rc=$?
[ $rc = 3 ] && ok "a listed path that does not exist: exit 3" || nok "a listed path that does not exist: exit 3" "exit $rc"
check "a listed path that does not exist: its error record, the other dump still reported" \
    python3 -c 'import json,sys; d=[json.loads(l) for l in open(sys.argv[1])]; assert [("error" in x) for x in d] == [False, True], d' "$tmp/missing.jsonl"

mkfifo "$tmp/fifo.dmp"
printf '%s\n' "$tmp/fifo.dmp" /dev/null | timeout 20 "$LALSCAN" -v - >"$tmp/fifo.txt" 2>&1
rc=$?
check "a listed FIFO or device: an error record each, never read (exit 3, no hang)" \
    bash -c "[ $rc = 3 ] && grep -q 'fifo.dmp: not a regular file' '$tmp/fifo.txt' && grep -q '/dev/null: not a regular file' '$tmp/fifo.txt'"

# --- exit statuses ----------------------------------------------------------------------------
"$LALSCAN" "${SYM[@]}" "$D/xp-2003" >/dev/null 2>&1
rc=$?
[ $rc = 1 ] && ok "folder of leaking dumps: exit 1" || nok "folder of leaking dumps: exit 1" "exit $rc"
mkdir -p "$tmp/clean" && cp "$FIX"/dumps/x64-triage.dmp "$FIX"/dumps/x86-full.dmp "$tmp/clean/"
"$LALSCAN" "$tmp/clean" >/dev/null 2>&1
rc=$?
[ $rc = 0 ] && ok "folder of clean dumps: exit 0" || nok "folder of clean dumps: exit 0" "exit $rc"
"$LALSCAN" --new "$tmp/clean" >/dev/null 2>&1
rc=$?
[ $rc = 2 ] && ok "--new without --db: usage error" || nok "--new without --db: usage error" "exit $rc"
"$LALSCAN" -j 0 "$tmp/clean" >/dev/null 2>&1
rc=$?
[ $rc = 2 ] && ok "-j 0: usage error" || nok "-j 0: usage error" "exit $rc"
