#!/usr/bin/env bash
# corrupt-dumps.test.sh - hostile variants of good dumps: truncations at many points and
# deterministic byte corruptions of the headers and directories. Every variant must end in a
# report (exit 0) or a clear error naming the file (exit 3): never a crash, hang or sanitizer report.
set -u
cd "$(dirname "$0")/.."
: "${LALSCAN:=build/asan/lalscan}"
SHARED=${SHARED:-../shared}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bases="fixtures/dumps/x64-full.dmp fixtures/dumps/x86pae-bitmap-kernel.dmp fixtures/dumps/x86-summary.dmp
       fixtures/dumps/x64-triage.dmp fixtures/dumps/x86-triage.dmp fixtures/dumps/x64-kernel-only.dmp
       fixtures/dumps/x64-bitmap-kernel.dmp.gz $SHARED/realworld/dump-rizin-triage-x64/triage_x64.dmp"

# make_variants BASE OUTDIR: truncations at header/directory boundaries and spread through the file,
# and 40 seeded corruptions of 4-8 bytes in the first 0x3000 bytes (where the directories live).
make_variants() {
    python3 - "$1" "$2" <<'PY'
import gzip, os, random, sys
src, out = sys.argv[1], sys.argv[2]
data = open(src, 'rb').read()
if src.endswith('.gz'):
    data = gzip.decompress(data)
n = len(data)
cuts = sorted(set([0, 1, 7, 8, 0x20, 0x800, 0xfff, 0x1000, 0x1001, 0x1038, 0x1100, 0x1fff, 0x2000, 0x2038, 0x2080, 0x2100, 0x3000]
                  + [n * k // 23 for k in range(1, 23)] + [n - 1, n - 4]))
for c in cuts:
    if c < n:
        open(os.path.join(out, 'cut-%x.dmp' % c), 'wb').write(data[:c])
rng = random.Random(0x1a15ca4)
for i in range(40):
    b = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(0, min(n, 0x3000))
        width = rng.choice([1, 2, 4, 8])
        val = rng.choice([0, 0xff, 0x7f, rng.randrange(256)])
        for j in range(width):
            if at + j < n:
                b[at + j] = val if j == 0 or val in (0, 0xff) else rng.randrange(256)
    open(os.path.join(out, 'flip-%02d.dmp' % i), 'wb').write(bytes(b))
PY
}

# run_variant FILE: the command under test for a base (analysis for Verifier dumps, info otherwise)
run_variant() {
    case $base in
        *verifier-*) timeout 30 "$LALSCAN" --json -y fixtures/drivers/bin "$1" ;;
        *) timeout 20 "$LALSCAN" info --modules --json "$1" ;;
    esac
}

bases="$bases fixtures/dumps/verifier-win10-x64.dmp fixtures/dumps/verifier-2003sp1-x86.dmp fixtures/dumps/verifier-xp-x86.dmp"
for base in $bases; do
    if [ ! -f "$base" ]; then
        echo "not ok - corrupt variants of $base: base file missing"; continue
    fi
    d="$tmp/$(basename "$base")"; mkdir -p "$d"
    make_variants "$base" "$d"
    total=0 bad=0 refused=0
    for v in "$d"/*.dmp; do
        total=$((total + 1))
        run_variant "$v" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        if [ $rc -ne 0 ] && [ $rc -ne 1 ] && [ $rc -ne 3 ]; then
            bad=$((bad + 1)); echo "#   $(basename "$v"): exit $rc"; head -3 "$tmp/err" | sed 's/^/#     /'
        elif grep -q 'runtime error\|Sanitizer' "$tmp/err"; then
            bad=$((bad + 1)); echo "#   $(basename "$v"): sanitizer report"; head -3 "$tmp/err" | sed 's/^/#     /'
        elif [ $rc -eq 3 ] && ! grep -q "^lalscan: $v: " "$tmp/err"; then
            bad=$((bad + 1)); echo "#   $(basename "$v"): error without file name: $(head -1 "$tmp/err")"
        elif [ $rc -ne 3 ] && ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" 2>/dev/null; then
            bad=$((bad + 1)); echo "#   $(basename "$v"): exit 0 but the JSON does not parse"
        fi
        [ $rc -eq 3 ] && refused=$((refused + 1))
    done
    if [ $bad -eq 0 ]; then
        echo "ok - $(basename "$base"): $total hostile variants, $refused refused with a message, the rest reported"
    else
        echo "not ok - $(basename "$base"): $bad of $total variants crashed, hung or erred without a message"
    fi
done
