#!/usr/bin/env bash
# json-schema.test.sh - every JSON document lalscan prints (info, analysis, error documents) is
# validated against the committed schema/lalscan.report-1.schema.json with Debian's python3-jsonschema.
set -u
cd "$(dirname "$0")/.."
: "${LALSCAN:=build/asan/lalscan}"
PY=/usr/bin/python3
if ! $PY -c 'import jsonschema' 2>/dev/null; then
    echo "not ok - python3-jsonschema is not installed (make deps installs it)"; exit 0
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
for f in fixtures/dumps/*.dmp fixtures/dumps/*.dmp.gz ../shared/realworld/dump-rizin-triage-x64/triage_x64.dmp \
         ../shared/realworld/dump-imhex-fulldump-header16k/dmp64.hexpat.bin man/lalscan.1; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    "$LALSCAN" info --json --modules "$f" >"$tmp/info-$n.json" 2>/dev/null
    "$LALSCAN" --json -y fixtures/drivers/bin "$f" >"$tmp/analysis-$n.json" 2>/dev/null
done
"$LALSCAN" --json fixtures/dumps/x64-full.dmp fixtures/dumps/x86-full.dmp no-such.dmp >"$tmp/lines.json" 2>/dev/null
$PY - "$tmp" schema/lalscan.report-1.schema.json <<'PY'
import glob, json, os, sys
import jsonschema
tmp, schema_path = sys.argv[1], sys.argv[2]
schema = json.load(open(schema_path))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
for kind in ('info', 'analysis', 'lines'):
    docs = bad = 0
    first = ''
    for path in sorted(glob.glob(os.path.join(tmp, kind + '*.json'))):
        for line in open(path):
            if not line.strip():
                continue
            docs += 1
            try:
                doc = json.loads(line)
            except ValueError as e:
                bad += 1
                first = first or '%s: not JSON: %s' % (os.path.basename(path), e)
                continue
            errs = sorted(v.iter_errors(doc), key=lambda e: list(e.path))
            if errs:
                bad += 1
                first = first or '%s: %s at %s' % (doc.get('dump', {}).get('path'), errs[0].message, list(errs[0].path))
    want = 3 if kind == 'lines' else 1
    if docs >= want and bad == 0:
        print('ok - %s: %d JSON documents valid against lalscan.report/1' % (kind, docs))
    else:
        print('not ok - %s: %d of %d documents invalid: %s' % (kind, bad, docs, first))
PY
