#!/usr/bin/env bash
# triage-parallel.test.sh - runs the README's "beyond one machine" block as it stands (GNU
# parallel over a file list, --sshlogin : = this machine) and checks the merged JSON Lines.
set -u
cd "$(dirname "$0")/.."
: "${LALSCAN:=build/asan/lalscan}"
: "${FIX:=fixtures}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok - $1"; }
nok() { echo "not ok - $1: $2"; }

if ! command -v parallel >/dev/null || ! parallel --version 2>/dev/null | grep -q 'GNU parallel'; then
    nok "prerequisite" "GNU parallel (Debian package parallel) is not installed"
    exit 0
fi

block=$(sed -n '/<!-- triage-parallel:begin -->/,/<!-- triage-parallel:end -->/p' README.md | sed '/^<!--/d; /^```/d')
if [ -z "$block" ] || ! grep -q 'parallel .*--sshlogin' <<<"$block"; then
    nok "README block" "no triage-parallel block with a parallel --sshlogin command in README.md"
    exit 0
fi
ok "README block found"

# the folder: dumps of several eras, a .gz, corrupt dumps, non-dumps
D=$tmp/dumps
mkdir -p "$D/x" "$D/y"
cp "$FIX"/dumps/verifier-*.dmp "$D/x/"
cp "$FIX"/dumps/x64-triage.dmp "$FIX"/dumps/x64-bitmap-kernel.dmp.gz "$FIX"/dumps/bad-x64-signature.dmp "$D/y/"
cp README.md "$D/y/notes.txt"
cp "$FIX"/drivers/bin/laldrv-x64-O2.pdb "$D/y/"
# more dumps than one chunk of 200 paths, so the merge of several chunks is exercised
for i in $(seq 1 90); do cp "$FIX"/dumps/x86-triage.dmp "$D/y/t$i.dmp"; cp "$FIX"/dumps/verifier-win7-x64.dmp "$D/x/w$i.dmp"; done
ndumps=$(($(find "$D" -type f | wc -l) - 2))

SYMS=$(cd "$FIX/drivers/bin" && pwd)
# `lalscan` on PATH is the build under test
mkdir -p "$tmp/bin" "$tmp/run"
ln -s "$(cd "$(dirname "$LALSCAN")" && pwd)/$(basename "$LALSCAN")" "$tmp/bin/lalscan"
(cd "$tmp/run" && DUMPS=$D SYMS=$SYMS PATH=$tmp/bin:$PATH bash -c "$block") \
    >"$tmp/counts.txt" 2>"$tmp/err.txt"
[ -s "$tmp/run/triage.jsonl" ] && ok "the README block ran" ||
    nok "the README block ran" "$(head -5 "$tmp/err.txt" | tr '\n' ' ')"

"$LALSCAN" --json -y "$SYMS" "$D" >"$tmp/direct.jsonl" 2>/dev/null
if cmp -s "$tmp/direct.jsonl" "$tmp/run/triage.jsonl"; then
    ok "merged JSON Lines equal one local run over the folder"
else
    nok "merged JSON Lines equal one local run over the folder" \
        "$(wc -l <"$tmp/run/triage.jsonl") lines against $(wc -l <"$tmp/direct.jsonl")"
fi
n=$(wc -l <"$tmp/run/triage.jsonl")
[ "$n" = "$ndumps" ] && ok "one document per dump ($ndumps), non-dumps skipped" || nok "one document per dump" "$n, want $ndumps"
"$LALSCAN" -y "$FIX/drivers/bin" --summary "$tmp/s.json" "$D" >/dev/null 2>&1
if python3 - "$tmp/s.json" "$tmp/counts.txt" <<'EOF'; then ok "the block's bucket counts equal the --summary counts"; else nok "the block's bucket counts equal the --summary counts" "see above"; fi
import json, sys, re
s = {b["bucket"]: b["count"] for b in json.load(open(sys.argv[1]))["buckets"]}
got = {}
for line in open(sys.argv[2]):
    m = re.match(r'\s*(\d+) "bucket":"(.*)"$', line.rstrip("\n"))
    assert m, line
    got[m.group(2)] = int(m.group(1))
assert got == s, (got, s)
EOF
grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/err.txt" && nok "no sanitizer report" "$(head -3 "$tmp/err.txt")" || ok "no sanitizer report"
