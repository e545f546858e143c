#!/usr/bin/env bash
# verifier-expect.test.sh - oracle test: lalscan --json on every Verifier fixture dump against the fixture
# writer's expectations (bug check, driver, counters, allocations, pool class, lookaside lists, damage).
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
fix=${FIX:-$root/fixtures}
lal=${LALSCAN:-$root/build/asan/lalscan}
if ! command -v python3 >/dev/null; then
    echo "not ok - verifier expectations: python3 is not installed (needed by tests/verifier_expect.py)"
    exit 0
fi
if [ ! -x "$lal" ]; then
    echo "not ok - verifier expectations: $lal is not built (make BUILD=asan testbins)"
    exit 0
fi
dumps=()
for f in "$fix"/dumps/verifier-*.dmp; do
    [ -f "$f.expect.json" ] && dumps+=("$f")
done
if [ "${#dumps[@]}" -eq 0 ]; then
    echo "not ok - verifier expectations: no fixtures/dumps/verifier-*.dmp with an .expect.json"
    exit 0
fi
echo "ok - verifier expectations: ${#dumps[@]} Verifier fixtures with expectations"
python3 "$root/tests/verifier_expect.py" --lalscan "$lal" --symbols "$fix/drivers/bin" \
    --selftest "$fix/dumps" "${dumps[@]}" ||
    echo "not ok - verifier expectations: tests/verifier_expect.py exited with status $?"
# Again with the stand-in kernel PDB: its publics name Verifier's stack log, whose stacks must
# then match the writer's VF_POOL_TRACE records (lines prefixed "nt-pdb:").
python3 "$root/tests/verifier_expect.py" --lalscan "$lal" --symbols "$fix/drivers/bin" \
    --nt-pdb-dir "$fix/kernel" "${dumps[@]}" | sed 's/^\(not ok\|ok\) - /\1 - nt-pdb: /' ||
    echo "not ok - verifier expectations with --nt-pdb: tests/verifier_expect.py failed"
exit 0
