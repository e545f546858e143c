#!/usr/bin/env bash
# triage-db.test.sh - the triage database (--db): rows keyed by content, a rerun analyzes
# nothing, --new tells new buckets from known ones, and concurrent runs keep the file consistent.
set -u
cd "$(dirname "$0")/.."
: "${LALSCAN:=build/asan/lalscan}"
: "${FIX:=fixtures}"
SYM=(-y "$FIX/drivers/bin")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; }
check() {
    local d=$1
    shift
    if "$@" >"$tmp/check.out" 2>&1; then ok "$d"; else nok "$d" "$(head -c 600 "$tmp/check.out" | tr '\n' ' ')"; fi
}
# the -v line: "lalscan: F files: N dumps (A analyzed, B from the database), ..."
field() { grep -o "[0-9]* $2" "$1" | head -1 | cut -d' ' -f1; }
sq() { sqlite3 "$DB" "$@"; }

if ! command -v sqlite3 >/dev/null; then
    nok "prerequisite" "sqlite3 (Debian package sqlite3) is not installed"
    exit 0
fi

D=$tmp/dumps
mkdir -p "$D/a" "$D/b" "$D/bad" "$D/other"
cp "$FIX"/dumps/verifier-win10-x64.dmp "$FIX"/dumps/verifier-win7-x64.dmp "$FIX"/dumps/verifier-2003sp1-x86.dmp "$D/a/"
cp "$FIX"/dumps/x64-triage.dmp "$FIX"/dumps/verifier-none-x64.dmp "$FIX"/dumps/x64-bitmap-kernel.dmp.gz "$D/b/"
cp "$FIX"/dumps/verifier-win10-x64.dmp "$D/b/copy-of-win10.dmp"
cp "$FIX"/dumps/bad-x64-signature.dmp "$FIX"/dumps/bad-x64-triage-absurd.dmp "$D/bad/"
cp "$FIX"/dumps/bad-x64-signature.dmp "$D/bad/copy-of-bad.dmp"
cp README.md "$D/other/notes.txt"
NDUMPS=10
DISTINCT=$(find "$D" -type f ! -name notes.txt -exec sha256sum {} + | cut -d' ' -f1 | sort -u | wc -l)
DB=$tmp/triage.db

# --- first run and rerun ----------------------------------------------------------------------
"$LALSCAN" --json -v -j 2 "${SYM[@]}" "$D" >"$tmp/nodb.jsonl" 2>/dev/null
"$LALSCAN" --json -v -j 2 "${SYM[@]}" --db "$DB" "$D" >"$tmp/run1.jsonl" 2>"$tmp/run1.err"
rc1=$?
[ $rc1 = 3 ] && ok "first run: exit 3 (corrupt dumps)" || nok "first run: exit 3 (corrupt dumps)" "exit $rc1"
check "first run: the same JSON Lines as without a database" cmp "$tmp/nodb.jsonl" "$tmp/run1.jsonl"
a1=$(field "$tmp/run1.err" analyzed)
b1=$(field "$tmp/run1.err" 'from the database')
check "first run: every dump analyzed or taken from the database (copies), $NDUMPS in all" \
    bash -c "[ '$a1' -ge $DISTINCT ] && [ \$(( $a1 + $b1 )) = $NDUMPS ]"
check "database: one row per distinct content ($DISTINCT), one path row per dump file ($NDUMPS)" \
    bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM dumps') = $DISTINCT ] && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM paths') = $NDUMPS ]"
check "database: WAL journal mode" bash -c "[ \$(sqlite3 '$DB' 'PRAGMA journal_mode') = wal ]"
check "database: errors stored with their message, no bucket" \
    bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM dumps WHERE status != 0 AND bucket IS NULL AND error LIKE '%/bad/%: %'\") = 2 ]"
check "database: bucket counts are the number of dumps that have them" \
    bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM buckets b WHERE dumps != (SELECT count(*) FROM dumps d WHERE d.bucket = b.bucket)') = 0 ]"
check "database: reports are lalscan.report/1 documents keyed by SHA-256" \
    bash -c "sqlite3 '$DB' \"SELECT count(*) FROM dumps WHERE length(hash) = 64 AND schema = 'lalscan.report/1' AND report LIKE '{\\\"schema\\\":\\\"lalscan.report/1\\\"%'\" | grep -qx $DISTINCT"
sum=$(sha256sum "$D/a/verifier-win7-x64.dmp" | cut -d' ' -f1)
check "database: the hash is the SHA-256 of the file" bash -c "[ \$(sqlite3 '$DB' \"SELECT count(*) FROM dumps WHERE hash = '$sum'\") = 1 ]"

"$LALSCAN" --json -v -j 2 "${SYM[@]}" --db "$DB" "$D" >"$tmp/run2.jsonl" 2>"$tmp/run2.err"
rc2=$?
check "rerun: nothing analyzed, every dump from the database" \
    grep -q "$NDUMPS dumps (0 analyzed, $NDUMPS from the database)" "$tmp/run2.err"
check "rerun: byte-identical JSON Lines (a copy keeps its own path)" cmp "$tmp/run1.jsonl" "$tmp/run2.jsonl"
[ $rc2 = $rc1 ] && ok "rerun: same exit status" || nok "rerun: same exit status" "$rc2 vs $rc1"
"$LALSCAN" -v -j 1 "${SYM[@]}" --db "$DB" "$D" >"$tmp/run2.txt" 2>"$tmp/run2t.err"
"$LALSCAN" -j 1 "${SYM[@]}" "$D" >"$tmp/nodb.txt" 2>/dev/null
check "rerun: the same bucket table as without a database" \
    diff <(tail -n +2 "$tmp/nodb.txt") <(tail -n +2 "$tmp/run2.txt")
touch "$D/a/verifier-win7-x64.dmp"
"$LALSCAN" -v "${SYM[@]}" --db "$DB" "$D" >/dev/null 2>"$tmp/run3.err"
check "a touched file is hashed again and still known (0 analyzed)" grep -q "(0 analyzed, $NDUMPS from the database)" "$tmp/run3.err"
"$LALSCAN" -v --db "$DB" "$D/a" >/dev/null 2>"$tmp/nosym.err"
check "other analysis options (no symbols): analyzed again" grep -q "3 dumps (3 analyzed, 0 from the database)" "$tmp/nosym.err"

# --- --new ------------------------------------------------------------------------------------
"$LALSCAN" "${SYM[@]}" --db "$DB" --new "$D" >"$tmp/new0.txt" 2>/dev/null
check "--new with nothing new: no bucket, no known error" \
    bash -c "head -1 '$tmp/new0.txt' | grep -q '^0 new buckets' && ! grep -q 'Errors' '$tmp/new0.txt'"
mkdir -p "$D/c"
cp "$FIX"/dumps/verifier-win81-x86.dmp "$FIX"/dumps/verifier-xp-x86-60.dmp "$D/c/"
cp "$FIX"/dumps/verifier-xp-x86.dmp "$D/c/known-bucket.dmp"
"$LALSCAN" --json -v "${SYM[@]}" --db "$DB" --new --summary "$tmp/new.json" "$D" >"$tmp/new.jsonl" 2>"$tmp/new.err"
check "--new: JSON Lines hold only the dumps of new buckets" python3 - "$tmp/new.jsonl" <<'EOF'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1])]
names = sorted(d["dump"]["path"].rsplit("/", 1)[1] for d in docs)
assert names == ["verifier-win81-x86.dmp", "verifier-xp-x86-60.dmp"], names
EOF
check "--new: the summary lists the two new buckets (valid lalscan.triage/1)" python3 - "$tmp/new.json" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
b = sorted(x["bucket"] for x in s["buckets"])
assert b == ["lalscan.bucket/1:0xC4_60/laldrv.sys/lookaside:g_ContextLookaside",
             "lalscan.bucket/1:0xC4_62/MyDriver.sys/PoolAllocateName"], b
assert all(x["new"] for x in s["buckets"]) and s["counts"]["new_buckets"] == 2, s["counts"]
assert s["errors"] == [], s["errors"]
try:
    import jsonschema
except ImportError:
    sys.exit("python3-jsonschema is not installed")
jsonschema.Draft202012Validator(json.load(open("schema/lalscan.triage-1.schema.json"))).validate(s)
EOF
check "--new: 3 analyzed (the new files), the rest from the database" grep -q "(3 analyzed, $NDUMPS from the database)" "$tmp/new.err"
"$LALSCAN" "${SYM[@]}" --db "$DB" --new "$D" >"$tmp/new2.txt" 2>/dev/null
check "--new again: those buckets are now known" grep -q '^0 new buckets' "$tmp/new2.txt"
check "database: first and last seen, and the example, on each bucket" \
    bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM buckets WHERE first_seen > 0 AND last_seen >= first_seen AND example != \"\"') = \$(sqlite3 '$DB' 'SELECT count(*) FROM buckets') ]"

# --- concurrent runs ----------------------------------------------------------------------------
DB=$tmp/shared.db
E=$tmp/many
mkdir -p "$E"
for i in 1 2 3 4 5 6; do
    for f in verifier-win10-x64 verifier-win7-x64 verifier-xp-x86 x64-triage verifier-none-x64 bad-x64-signature; do
        cp "$FIX/dumps/$f.dmp" "$E/$i-$f.dmp"
    done
    printf 'run %s\n' "$i" >>"$E/$i-verifier-none-x64.dmp.note"
done
# one byte changed per copy: distinct content, the same buckets
python3 - "$E" <<'EOF'
import os, sys
for n in os.listdir(sys.argv[1]):
    if n.endswith(".dmp") and not n.startswith("1-"):
        p = os.path.join(sys.argv[1], n)
        b = bytearray(open(p, "rb").read())
        b[0xfc0] ^= int(n.split("-")[0])   # inside the header's unused comment area
        open(p, "wb").write(bytes(b))
EOF
NE=$(find "$E" -name '*.dmp' | wc -l)
DE=$(find "$E" -name '*.dmp' -exec sha256sum {} + | cut -d' ' -f1 | sort -u | wc -l)
pids=()
for j in 1 2 3; do
    "$LALSCAN" -j 2 "${SYM[@]}" --db "$DB" --json "$E" >"$tmp/conc$j.jsonl" 2>"$tmp/conc$j.err" &
    pids+=($!)
done
st=0
for p in "${pids[@]}"; do wait "$p" || [ $? = 3 ] || st=1; done
[ $st = 0 ] && ok "three concurrent runs on one database finish (exit 3: corrupt dumps)" ||
    nok "three concurrent runs on one database finish" "$(cat "$tmp"/conc*.err | head -5)"
check "concurrent runs: PRAGMA integrity_check is ok" bash -c "[ \"\$(sqlite3 '$DB' 'PRAGMA integrity_check')\" = ok ]"
check "concurrent runs: one row per distinct content ($DE), one path row per file ($NE)" \
    bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM dumps') = $DE ] && [ \$(sqlite3 '$DB' 'SELECT count(*) FROM paths') = $NE ]"
check "concurrent runs: bucket counts agree with the dumps" \
    bash -c "[ \$(sqlite3 '$DB' 'SELECT count(*) FROM buckets b WHERE dumps != (SELECT count(*) FROM dumps d WHERE d.bucket = b.bucket)') = 0 ]"
check "concurrent runs: each printed one document per dump" \
    bash -c "for j in 1 2 3; do [ \$(wc -l <'$tmp/conc'\$j.jsonl) = $NE ] || exit 1; done"
check "concurrent runs: no sanitizer report" bash -c "! grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' '$tmp'/conc*.err '$tmp'/run*.err"
"$LALSCAN" -v "${SYM[@]}" --db "$DB" "$E" >/dev/null 2>"$tmp/conc-re.err"
check "after concurrent runs: a rerun analyzes nothing" grep -q "(0 analyzed, $NE from the database)" "$tmp/conc-re.err"
echo "not a database" >"$tmp/bad.db"
"$LALSCAN" --db "$tmp/bad.db" "$D/a" >/dev/null 2>"$tmp/baddb.err"
rc=$?
check "a file that is not a database: exit 3 and a message naming it" \
    bash -c "[ $rc = 3 ] && grep -q 'bad.db: triage database' '$tmp/baddb.err'"
