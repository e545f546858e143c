#!/usr/bin/env bash
# run.sh BUILD_DIR - runs every lalscan test and ends with "N passed, N failed".
# Each test program prints "ok - …" / "not ok - …" lines; a program that dies without
# saying "not ok" counts as one failure. UPDATE=1 rewrites golden CLI outputs instead.
set -u
B=${1:-build/asan}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export LALSCAN="$ROOT/$B/lalscan"
export LALSCAN_REL="$ROOT/build/rel/lalscan"
export FIX="$ROOT/fixtures"
export SHARED="${SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LC_ALL=C TZ=UTC
ONLY=${ONLY:-}

passed=0 failed=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

# run_prog NAME CMD...: runs one test program and folds its ok/not ok lines into the totals.
run_prog() {
    local name=$1; shift
    if [ -n "$ONLY" ] && [[ "$name" != *"$ONLY"* ]]; then return; fi
    local out="$log/out" rc
    "$@" >"$out" 2>&1; rc=$?
    local p f
    p=$(grep -c '^ok - ' "$out"); f=$(grep -c '^not ok - ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1; echo "not ok - $name exited with status $rc"
    fi
    if [ "$f" -ne 0 ] || [ "${VERBOSE:-0}" = 1 ]; then
        echo "== $name"; grep -v '^ok - ' "$out" | head -n 60
    fi
    passed=$((passed + p)); failed=$((failed + f))
    printf '%-40s %4d passed, %d failed\n' "$name" "$p" "$f"
}

for t in "$B"/tests/test_*; do
    [ -x "$t" ] && run_prog "unit/$(basename "$t")" "$t"
done
for s in tests/*.test.sh; do
    [ -f "$s" ] && run_prog "$(basename "$s" .test.sh)" bash "$s"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
