#!/usr/bin/env bash
# golden.test.sh - CLI golden tests: tests/cli/NAME.cmd is one command line run from the repo
# root ($LALSCAN is the CLI under test); its stdout must equal NAME.stdout.exact and its exit
# status NAME.exit. UPDATE=1 rewrites the expected files (review the diff before committing).
set -u
cd "$(dirname "$0")/.."
: "${LALSCAN:=build/asan/lalscan}"
export LALSCAN
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
for cmd in tests/cli/*.cmd; do
    name=${cmd%.cmd}
    n=$((n + 1))
    bash -c "$(cat "$cmd")" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "${UPDATE:-0}" = 1 ]; then
        cp "$tmp/out" "$name.stdout.exact"
        echo "$rc" >"$name.exit"
        echo "ok - $(basename "$name"): updated"
        continue
    fi
    want_rc=$(cat "$name.exit" 2>/dev/null || echo missing)
    if [ "$rc" != "$want_rc" ]; then
        echo "not ok - $(basename "$name"): exit status $rc, want $want_rc"; head -5 "$tmp/err" | sed 's/^/#   /'
    elif ! diff -u "$name.stdout.exact" "$tmp/out" >"$tmp/diff"; then
        echo "not ok - $(basename "$name"): output differs"; head -30 "$tmp/diff" | sed 's/^/#   /'
    elif grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp/err"; then
        echo "not ok - $(basename "$name"): sanitizer report"; head -10 "$tmp/err" | sed 's/^/#   /'
    else
        echo "ok - $(basename "$name")"
    fi
done
[ "$n" -gt 0 ] || echo "not ok - no golden tests found in tests/cli"
