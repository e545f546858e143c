#!/usr/bin/env bash
# run.sh FUZZ_BUILD_DIR SECONDS - runs every libFuzzer harness for SECONDS each, seeded from
# the committed fixtures. Findings (crash-*, leak-*, timeout-*) land in the current directory.
set -u
B=${1:-build/fuzz}; T=${2:-60}
cd "$(dirname "$0")/../.."
seeds() {
    case $1 in
        fuzz_dump) ls fixtures/dumps/*.dmp ;;
        fuzz_pdb|fuzz_pdb_types) ls fixtures/drivers/bin/*.pdb fixtures/types/*.pdb 2>/dev/null ;;
        fuzz_pe|fuzz_pe_calls) ls fixtures/drivers/bin/*.sys ;;
        fuzz_cab) find fixtures/stores -name '*_' -type f ;;
    esac
}
status=0
for f in "$B"/fuzz/fuzz_*; do
    name=$(basename "$f")
    corpus="$B/corpus-$name"
    mkdir -p "$corpus"
    for s in $(seeds "$name"); do cp -n "$s" "$corpus/" 2>/dev/null; done
    echo "== $name ($T s, corpus $(ls "$corpus" | wc -l) files)"
    "$f" -max_total_time="$T" -max_len=$((1 << 20)) -rss_limit_mb=2048 -print_final_stats=1 "$corpus" 2>&1 | tail -n 12 || status=1
done
exit $status
