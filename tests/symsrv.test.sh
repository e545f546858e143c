#!/usr/bin/env bash
# symsrv.test.sh - lalscan against a symbol server on 127.0.0.1 started here (tests/symsrv/
# server.py): a SymStore tree built from the fixture drivers (plain, MSZIP, LZX, file.ptr),
# downloads counted in the server's log, caches reused, offline modes, every fault case, and
# two processes sharing one cache. The server is stopped on exit (and stops itself anyway).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
FIX=${FIX:-$ROOT/fixtures}
LALSCAN=${LALSCAN:-$ROOT/build/asan/lalscan}
BIN="$FIX/drivers/bin"
D="$FIX/dumps"

ok() { echo "ok - $*"; }
nok() { echo "not ok - $*"; }

missing=""
for t in python3 gcab llvm-readobj cmp; do command -v "$t" >/dev/null || missing="$missing $t"; done
[ -x "$LALSCAN" ] || missing="$missing $LALSCAN"
if [ -n "$missing" ]; then
    nok "prerequisites missing:$missing"
    exit 1
fi

T=$(mktemp -d)
SRV_PID=""
TLS_PID=""
cleanup() {
    for p in $SRV_PID $TLS_PID; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    rm -rf "$T"
}
trap cleanup EXIT

# Loopback only, whatever proxies the environment names; short limits for the fault cases;
# the default cache goes to the test's folder.
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY LALSCAN_OFFLINE
export no_proxy='*' NO_PROXY='*'
export LALSCAN_SYMSRV_TIMEOUT=3 LALSCAN_SYMSRV_CONNECT_TIMEOUT=3
export XDG_CACHE_HOME="$T/xdg"

# pdbkey IMAGE / imgkey IMAGE: SymStore keys (as fixtures/stores/make-stores.sh)
pdbkey() {
    llvm-readobj --coff-debug-directory "$1" | python3 -c '
import re, sys
t = sys.stdin.read()
g = bytes.fromhex(re.search(r"PDBGUID: \(([0-9A-F ]+)\)", t).group(1).replace(" ", ""))
age = int(re.search(r"PDBAge: (\d+)", t).group(1))
print("%08X%04X%04X%s%x" % (int.from_bytes(g[0:4], "little"), int.from_bytes(g[4:6], "little"),
                            int.from_bytes(g[6:8], "little"), g[8:].hex().upper(), age))'
}
mszip() { # SRC OUT
    mkdir -p "$T/cab" && cp "$1" "$T/cab/" && (cd "$T/cab" && gcab -c -n -z "$2" "$(basename "$1")")
}

# --- the served tree -----------------------------------------------------------------------
S="$T/root"
for v in x64-O2 x64-O0 x86-O2 x86-O0; do eval "K_${v//-/_}=$(pdbkey "$BIN/laldrv-$v.sys")"; done
mkdir -p "$S/laldrv-x64-O2.pdb/$K_x64_O2" "$S/laldrv-x86-O2.pdb/$K_x86_O2" "$S/laldrv-x86-O0.pdb/$K_x86_O0" \
    "$S/laldrv-x64-O0.pdb/$K_x64_O0" "$S/files" "$S/laldrv.sys/5E0000005000"
cp "$BIN/laldrv-x64-O2.pdb" "$S/laldrv-x64-O2.pdb/$K_x64_O2/"                          # plain
mszip "$BIN/laldrv-x86-O2.pdb" "$S/laldrv-x86-O2.pdb/$K_x86_O2/laldrv-x86-O2.pd_"      # MSZIP
mszip "$BIN/laldrv-x86-O0.pdb" "$S/laldrv-x86-O0.pdb/$K_x86_O0/laldrv-x86-O0.pd_"
cp "$BIN/laldrv-x64-O0.pdb" "$S/files/"                                                 # file.ptr
printf 'PATH:files\\laldrv-x64-O0.pdb\r\n' > "$S/laldrv-x64-O0.pdb/$K_x64_O0/file.ptr"
# the x86 fixture dumps load laldrv-x86-O2 as laldrv.sys: its image as an LZX cabinet
cp "$FIX/stores/store/laldrv-x86-O2.sys/5E0000005000/laldrv-x86-O2.sy_" "$S/laldrv.sys/5E0000005000/laldrv.sy_"

# A kernel whose image in the dump has no CodeView record: the server's copy of ntoskrnl.exe
# (found by the module list's time stamp and size) names the kernel PDB, whose types give the
# Verifier layouts. Stand-ins: fixtures/types' DLL with the kernel's time stamp and size, and its PDB.
KINFO=$("$LALSCAN" info --json "$D/verifier-win7-x64.dmp" | python3 -c '
import json, sys
m = json.loads(sys.stdin.readline())["modules"][0]
print("%08X%x %d %d" % (m["timestamp"], m["size"], m["timestamp"], m["size"]))')
read -r KKEY KTS KSIZE <<< "$KINFO"
KPDB=$(pdbkey "$FIX/types/types-x64.dll")
mkdir -p "$S/ntoskrnl.exe/$KKEY" "$S/types-x64.pdb/$KPDB"
cp "$FIX/types/types-x64.pdb" "$S/types-x64.pdb/$KPDB/"
python3 - "$FIX/types/types-x64.dll" "$S/ntoskrnl.exe/$KKEY/ntoskrnl.exe" "$KTS" "$KSIZE" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
pe = struct.unpack_from("<I", d, 0x3C)[0]
struct.pack_into("<I", d, pe + 8, int(sys.argv[3]))        # TimeDateStamp
struct.pack_into("<I", d, pe + 24 + 56, int(sys.argv[4]))  # SizeOfImage
open(sys.argv[2], "wb").write(d)
PY

LOG="$T/requests.log"
: > "$LOG"
python3 "$ROOT/tests/symsrv/server.py" --root "$S" --log "$LOG" --port-file "$T/port" \
    --wrong "$BIN/laldrv-x86-O0.pdb" --delay 8 --lifetime 300 &
SRV_PID=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.1; done
if [ ! -s "$T/port" ]; then
    nok "the test server did not start"
    exit 1
fi
PORT=$(cat "$T/port")
URL="http://127.0.0.1:$PORT"
ok "test server on 127.0.0.1:$PORT"

# nreq: requests logged so far. The server writes its log line after it has answered, so the
# count is read until it stops changing (a client can finish before the line is written).
nreq() {
    local a b
    a=$(wc -l < "$LOG" | tr -d ' ')
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        sleep 0.2
        b=$(wc -l < "$LOG" | tr -d ' ')
        [ "$a" = "$b" ] && break
        a=$b
    done
    echo "$a"
}

# pdbs FILE: "module=pdb-or-problem" for every module of every JSON report in FILE
pdbs() {
    python3 -c '
import json, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if not line.startswith("{"):
        continue
    j = json.loads(line)
    rep = j.get("report", j)
    for s in rep.get("symbols") or []:
        if s["module"] != "ntoskrnl.exe":
            print("%s=%s" % (s["module"], s["pdb"] or "MISSING: " + (s["problem"] or "")))
' "$1"
}

# --- a folder triage: every PDB once; the rerun asks nothing --------------------------------
mkdir -p "$T/dumps"
DUMPS="verifier-win10-x64 verifier-win7-x64 verifier-2003-x64 verifier-win11-x64 verifier-vista-x86
       verifier-xp-x86 verifier-2003sp1-x86"
for d in $DUMPS; do ln -s "$D/$d.dmp" "$T/dumps/$d.dmp"; done
"$LALSCAN" --json -y "srv*$T/c1*$URL/ok" "$T/dumps" > "$T/triage1.json" 2> "$T/triage1.err"
st=$?
n1=$(nreq)
got=$(pdbs "$T/triage1.json" | grep -c "=$T/c1/")
miss=$(pdbs "$T/triage1.json" | grep -c MISSING)
if [ "$st" -le 1 ] && [ "$got" -eq 7 ] && [ "$miss" -eq 0 ]; then
    ok "folder triage of 7 dumps: every driver PDB comes from the cache filled from the server ($n1 requests)"
else
    nok "folder triage: status $st, $got of 7 PDBs from the cache, $miss missing: $(pdbs "$T/triage1.json" | head -3) $(head -c 300 "$T/triage1.err")"
fi
once=1
for p in "laldrv-x64-O2.pdb/$K_x64_O2/laldrv-x64-O2.pdb" "laldrv-x86-O2.pdb/$K_x86_O2/laldrv-x86-O2.pd_" \
         "laldrv-x86-O0.pdb/$K_x86_O0/laldrv-x86-O0.pd_" "laldrv-x64-O0.pdb/$K_x64_O0/file.ptr" \
         "files/laldrv-x64-O0.pdb"; do
    c=$(grep -c "^ok $p 200 " "$LOG")
    [ "$c" -eq 1 ] || { once=0; nok "downloaded once: $p was served $c times"; }
done
[ "$once" = 1 ] && ok "each of the 4 PDBs downloaded exactly once (plain, MSZIP x2, file.ptr)"
grep -q " lalscan/[0-9]" "$LOG" && ok "User-Agent names lalscan and its version" ||
    nok "User-Agent: $(head -1 "$LOG")"
same=1
for v in x64-O2 x64-O0 x86-O2 x86-O0; do
    k=K_${v//-/_}
    cmp -s "$BIN/laldrv-$v.pdb" "$T/c1/laldrv-$v.pdb/${!k}/laldrv-$v.pdb" || same=0
done
[ "$same" = 1 ] && ok "the cache holds the 4 PDBs decompressed, byte-identical to the originals" ||
    nok "cache content differs: $(find "$T/c1" -type f | head)"
left=$(find "$T/c1" -name '.tmp-*' | wc -l)
[ "$left" -eq 0 ] && ok "no temporary files left in the cache" || nok "$left temporary files left in the cache"

"$LALSCAN" --json -y "srv*$T/c1*$URL/ok" "$T/dumps" > "$T/triage2.json" 2>&1
n2=$(nreq)
got=$(pdbs "$T/triage2.json" | grep -c "=$T/c1/")
[ "$n2" -eq "$n1" ] && [ "$got" -eq 7 ] && ok "rerun: zero requests, 7 PDBs from the cache" ||
    nok "rerun: $((n2 - n1)) requests, $got PDBs from the cache"

# --- offline: no request at all, the cache still used ---------------------------------------
n0=$(nreq)
"$LALSCAN" --json --offline -y "srv*$T/c2*$URL/ok" "$D/verifier-win10-x64.dmp" > "$T/off1.json" 2>&1
LALSCAN_OFFLINE=1 "$LALSCAN" --json -y "srv*$T/c2*$URL/ok" "$D/verifier-win10-x64.dmp" > "$T/off2.json" 2>&1
LALSCAN_OFFLINE=1 "$LALSCAN" --json -y "srv*$URL/ok" "$T/dumps" > "$T/off3.json" 2>&1
"$LALSCAN" symbolize --offline --image "$BIN/laldrv-x64-O2.sys" -y "srv*$T/c2*$URL/ok" 0x1000 > "$T/off4.txt" 2>&1
[ "$(nreq)" -eq "$n0" ] && ok "--offline, LALSCAN_OFFLINE=1 (single dump, folder triage) and symbolize --offline make no request" ||
    nok "offline runs made $(($(nreq) - n0)) requests: $(tail -n +$((n0 + 1)) "$LOG" | head -3)"
grep -q "offline" "$T/off1.json" && grep -q "offline" "$T/off2.json" &&
    ok "offline reports say the server was not contacted because of offline mode" ||
    nok "offline reason missing: $(pdbs "$T/off1.json")"
LALSCAN_OFFLINE=1 "$LALSCAN" --json -y "srv*$T/c1*$URL/ok" "$D/verifier-win10-x64.dmp" > "$T/off5.json" 2>&1
pdbs "$T/off5.json" | grep -q "=$T/c1/" && ok "offline: a filled cache still gives the PDB" ||
    nok "offline with a filled cache: $(pdbs "$T/off5.json")"

# --- default cache (srv*URL), redirects, symbolize, images (LZX) -----------------------------
"$LALSCAN" --json -y "srv*$URL/redir" "$D/verifier-win10-x64.dmp" > "$T/def.json" 2>&1
pdbs "$T/def.json" | grep -q "=$T/xdg/lalscan/symbols/laldrv-x64-O2.pdb/" &&
    ok "srv*URL: redirect followed, PDB stored in \$XDG_CACHE_HOME/lalscan/symbols" ||
    nok "default cache / redirect: $(pdbs "$T/def.json")"
"$LALSCAN" symbolize --image "$BIN/laldrv-x64-O2.sys" -y "srv*$T/c3*$URL/ok" 0x140001000 > "$T/sym.txt" 2>&1
[ -f "$T/c3/laldrv-x64-O2.pdb/$K_x64_O2/laldrv-x64-O2.pdb" ] && grep -q '!' "$T/sym.txt" &&
    ok "lalscan symbolize downloads the image's PDB ($(head -1 "$T/sym.txt"))" ||
    nok "symbolize: $(head -c 300 "$T/sym.txt")"
"$LALSCAN" --json -i "srv*$T/c4*$URL/ok" -y "srv*$T/c4*$URL/ok" "$D/verifier-vista-x86.dmp" > "$T/img.json" 2>&1
python3 -c '
import json, sys
j = json.loads(open(sys.argv[1]).readline())
s = [m for m in j["symbols"] if m["module"] == "laldrv.sys"][0]
sys.exit(0 if s["image"].endswith("/laldrv.sys/5E0000005000/laldrv.sys") and s["pdb"] else 1)' "$T/img.json" &&
    cmp -s "$BIN/laldrv-x86-O2.sys" "$T/c4/laldrv.sys/5E0000005000/laldrv.sys" &&
    ok "-i srv*: the image comes from an LZX cabinet (.sy_), stored decompressed" ||
    nok "LZX image: $(head -c 400 "$T/img.json")"

# --- the kernel's PDB found by itself: Verifier layouts from its types --------------------------
"$LALSCAN" --json -y "srv*$T/ck*$URL/ok" "$D/verifier-win7-x64.dmp" > "$T/k.json" 2>&1
python3 -c '
import json, sys
j = json.loads(open(sys.argv[1]).readline())
k = [m for m in j["symbols"] if m["module"] == "ntoskrnl.exe"][0]
ok = (k["image"] or "").endswith("/ntoskrnl.exe") and (k["pdb"] or "").endswith("/types-x64.pdb") \
     and j["verifier"]["source"] == "kernel-pdb-types"
print("image %s, pdb %s, verifier.source %s" % (k["image"], k["pdb"], j["verifier"]["source"]))
sys.exit(0 if ok else 1)' "$T/k.json" > "$T/k.txt" 2>&1 &&
    ok "kernel PDB without --nt-pdb: image by time stamp/size, its PDB, layouts from its types (verifier.source kernel-pdb-types)" ||
    nok "kernel PDB: $(cat "$T/k.txt") $(head -c 300 "$T/k.json")"
"$LALSCAN" -y "srv*$T/ck*$URL/ok" "$D/verifier-win7-x64.dmp" > "$T/k.txt" 2>&1
grep -q "types-x64.pdb" "$T/k.txt" && ok "text report names the kernel PDB the layouts came from" ||
    nok "text report does not name the kernel PDB: $(grep -i layout "$T/k.txt" | head -3)"

# --- HTTPS: a self-signed server is refused, and trusted through LALSCAN_SYMSRV_CA_BUNDLE ------
if command -v openssl >/dev/null &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
        -keyout "$T/tls.key" -out "$T/tls.crt" > /dev/null 2>&1; then
    python3 "$ROOT/tests/symsrv/server.py" --root "$S" --log "$T/tls.log" --port-file "$T/tls.port" \
        --tls "$T/tls.crt,$T/tls.key" --lifetime 300 &
    TLS_PID=$!
    for _ in $(seq 100); do [ -s "$T/tls.port" ] && break; sleep 0.1; done
    TURL="https://127.0.0.1:$(cat "$T/tls.port" 2>/dev/null)/ok"
    "$LALSCAN" --json -y "srv*$T/ct1*$TURL" "$D/verifier-win10-x64.dmp" > "$T/t1.json" 2>&1
    LALSCAN_SYMSRV_CA_BUNDLE="$T/tls.crt" "$LALSCAN" --json -y "srv*$T/ct2*$TURL" "$D/verifier-win10-x64.dmp" \
        > "$T/t2.json" 2>&1
    if pdbs "$T/t1.json" | grep -q "MISSING: .*SSL certificate" && pdbs "$T/t2.json" | grep -q "=$T/ct2/"; then
        ok "HTTPS: an untrusted certificate is refused with the reason; with LALSCAN_SYMSRV_CA_BUNDLE the PDB comes"
    else
        nok "HTTPS: untrusted: $(pdbs "$T/t1.json" | head -c 300); trusted: $(pdbs "$T/t2.json" | head -c 300)"
    fi
else
    nok "openssl missing or failed: HTTPS not tested"
fi

# --- progress on a terminal (script(1) gives stderr a pty), none otherwise -------------------
if command -v script >/dev/null; then
    script -qec "'$LALSCAN' -y 'srv*$T/cp*$URL/drip' '$D/verifier-win10-x64.dmp' >/dev/null" "$T/tty.txt" > /dev/null 2>&1
    "$LALSCAN" -y "srv*$T/cp2*$URL/drip" "$D/verifier-win10-x64.dmp" > /dev/null 2> "$T/notty.txt"
    if grep -q "downloading laldrv-x64-O2.pdb: .* [KM]B/s" "$T/tty.txt" && ! grep -q downloading "$T/notty.txt"; then
        ok "progress line on a terminal ($(tr '\r' '\n' < "$T/tty.txt" | grep downloading | tail -1 | tr -d '\033' | sed 's/\[K//'))"
    else
        nok "progress line: terminal: $(tr '\r' '\n' < "$T/tty.txt" | grep -c downloading) lines; not a terminal: $(grep -c downloading "$T/notty.txt")"
    fi
else
    nok "script(1) missing: progress on a terminal not tested"
fi

# --- fault cases: the report comes out with the reason --------------------------------------
# fault MODE DUMP WANT WHAT [URL]
fault() {
    local mode=$1 dump=$2 want=$3 what=$4 url=${5:-$URL/$1}
    rm -rf "$T/cf"
    "$LALSCAN" --json -y "srv*$T/cf*$url" "$D/$dump.dmp" > "$T/f.json" 2> "$T/f.err"
    local st=$? line
    line=$(pdbs "$T/f.json" | grep "laldrv.sys=")
    if [ "$st" -le 1 ] && echo "$line" | grep -q "MISSING: .*$want"; then
        ok "$what: report still made; reason: $(echo "$line" | grep -o "$want.\{0,60\}" | head -1)"
    else
        nok "$what: status $st, wanted \"$want\" in: $line $(head -c 300 "$T/f.err")"
    fi
}
fault 404 verifier-win10-x64 "HTTP 404" "404"
n0=$(nreq)
"$LALSCAN" --json -y "srv*$T/cf*$URL/404" "$D/verifier-win10-x64.dmp" > "$T/f2.json" 2>&1
[ "$(nreq)" -eq "$n0" ] && pdbs "$T/f2.json" | grep -q "remembered miss" &&
    ok "a 404 is remembered: the next run asks nothing and says so" ||
    nok "remembered miss: $(($(nreq) - n0)) requests; $(pdbs "$T/f2.json")"
LALSCAN_SYMSRV_MISS_TTL=-1 "$LALSCAN" --json -y "srv*$T/cf*$URL/404" "$D/verifier-win10-x64.dmp" > /dev/null 2>&1
[ "$(nreq)" -gt "$n0" ] && ok "LALSCAN_SYMSRV_MISS_TTL=-1: misses are asked again" || nok "miss TTL -1 made no request"
fault 500 verifier-win10-x64 "HTTP 500" "500"
fault drop verifier-win10-x64 "connection dropped" "dropped connection"
fault trunc verifier-win10-x64 "truncated body" "truncated body"
fault slow verifier-win10-x64 "timed out" "slow server (8 s, limit 3 s)"
fault wrong verifier-win10-x64 "does not match" "wrong PDB served (GUID/age mismatch)"
[ -z "$(find "$T/cf" -name 'laldrv-x64-O2.pdb' -type f)" ] && ok "the mismatched PDB was not stored in the cache" ||
    nok "mismatched PDB cached"
fault badcab verifier-vista-x86 "CAB" "corrupt cabinet"
# a port nobody listens on: bind one, close it
DEAD=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
fault none verifier-win10-x64 "unreachable" "unreachable server" "http://127.0.0.1:$DEAD"
"$LALSCAN" --json -y "srv*$T/cf*http://127.0.0.1:$DEAD" "$D/verifier-win7-x64.dmp" > "$T/f3.json" 2>&1
pdbs "$T/f3.json" | grep -q "MISSING: .*did not answer" &&
    ok "a server that did not answer is not asked again by the next dump for a while" ||
    nok "down note: $(pdbs "$T/f3.json")"

# --- two processes sharing one cache ---------------------------------------------------------
n0=$(nreq)
"$LALSCAN" --json -y "srv*$T/c5*$URL/slowok" "$T/dumps" > "$T/p1.json" 2>&1 &
p1=$!
"$LALSCAN" --json -y "srv*$T/c5*$URL/ok" "$T/dumps" > "$T/p2.json" 2>&1 &
p2=$!
wait $p1
wait $p2
a=$(pdbs "$T/p1.json" | grep -c "=$T/c5/")
b=$(pdbs "$T/p2.json" | grep -c "=$T/c5/")
same=1
for v in x64-O2 x64-O0 x86-O2 x86-O0; do
    k=K_${v//-/_}
    cmp -s "$BIN/laldrv-$v.pdb" "$T/c5/laldrv-$v.pdb/${!k}/laldrv-$v.pdb" || same=0
done
left=$(find "$T/c5" -name '.tmp-*' | wc -l)
dl=$(tail -n +$((n0 + 1)) "$LOG" | grep -c " 200 ")
if [ "$a" -eq 7 ] && [ "$b" -eq 7 ] && [ "$same" = 1 ] && [ "$left" -eq 0 ]; then
    ok "two concurrent processes, one cache: 7 + 7 PDBs found, cache correct, no temporary files ($dl bodies served)"
else
    nok "concurrent processes: $a and $b PDBs, cache same=$same, $left temporary files"
fi
twice=$(tail -n +$((n0 + 1)) "$LOG" | grep " 200 " | cut -d' ' -f2 | sort | uniq -d)
[ -z "$twice" ] && ok "concurrent processes: each file downloaded once (per-key lock)" ||
    nok "concurrent processes: served more than once: $twice"
