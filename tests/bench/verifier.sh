#!/usr/bin/env bash
# verifier.sh - benchmark (figures, never pass/fail): lalscan on generated 19041 x64 bitmap dumps whose
# verified driver holds N outstanding tracked allocations; wall time and peak RSS for --json and text.
# Run by hand: bash tests/bench/verifier.sh   (N=250000 bash tests/bench/verifier.sh adds that size;
# SIZES="1000 5000" replaces the list; NO_TIME=1 uses the python timer even if /usr/bin/time exists,
# whose RSS floor is the forked python's, about 14 MiB). Not part of tests/run.sh.
set -eu
cd "$(dirname "$0")/../.."
L=${LALSCAN_REL:-./lalscan}
[ -x "$L" ] || make -s lalscan
N=${N:-100000}
SIZES=${SIZES:-$(printf '%s\n' 1000 10000 "$N" | sort -n -u | tr '\n' ' ')}
d=$(mktemp -d); trap 'rm -rf "$d"' EXIT

# One measurement: "SECONDS KIB" of a command whose output is discarded. /usr/bin/time (Debian package
# `time`) when present, else python's getrusage of a single child (ru_maxrss is in KiB on Linux).
measure() {
    if [ -x /usr/bin/time ] && [ -z "${NO_TIME:-}" ]; then
        /usr/bin/time -f '%e %M' -o "$d/time.out" "$@" >/dev/null 2>"$d/stderr" || true
        tail -1 "$d/time.out"
    else
        python3 - "$@" 2>"$d/stderr" <<'EOF'
import resource, subprocess, sys, time
t = time.monotonic()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)
print("%.2f %d" % (time.monotonic() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
EOF
    fi
}

timer="python getrusage"
[ -x /usr/bin/time ] && [ -z "${NO_TIME:-}" ] && timer=/usr/bin/time
echo "lalscan: $L; timer: $timer"
printf '%8s %9s %8s %14s | %9s %11s %9s | %9s %11s %9s\n' N "dump MiB" "gen s" "found" \
    "json s" "json KiB" "json MiB" "text s" "text KiB" "text MiB"
for n in $SIZES; do
    gen=$(measure python3 fixtures/mkdump/bench.py verifier "$d" "$n" | cut -d' ' -f1)
    f="$d/verifier-$n.dmp"
    if [ ! -s "$f" ]; then
        echo "bench.py verifier failed for N=$n: $(head -c 400 "$d/stderr")"
        continue
    fi
    read -r js jk <<<"$(measure "$L" --json -y fixtures/drivers/bin "$f")"
    read -r ts tk <<<"$(measure "$L" -y fixtures/drivers/bin "$f")"
    "$L" --json -y fixtures/drivers/bin "$f" >"$d/out.json" 2>/dev/null || true
    "$L" -y fixtures/drivers/bin "$f" >"$d/out.txt" 2>/dev/null || true
    found=$(python3 -c 'import json, sys
v = json.load(open(sys.argv[1])).get("verifier") or {}
print("%s/%s" % (v.get("records_found"), v.get("records_expected")))' "$d/out.json" 2>/dev/null || echo "?")
    mib() { awk -v b="$(stat -c %s "$1")" 'BEGIN { printf "%.1f", b / 1048576 }'; }
    printf '%8s %9s %8s %14s | %9s %11s %9s | %9s %11s %9s\n' "$n" "$(mib "$f")" "$gen" "$found" \
        "$js" "$jk" "$(mib "$d/out.json")" "$ts" "$tk" "$(mib "$d/out.txt")"
    rm -f "$f" "$f.expect.json" "$d/out.json" "$d/out.txt"
done
