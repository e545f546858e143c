d=$(mktemp -d) && $LALSCAN -o "$d/r.txt" fixtures/dumps/verifier-triage-x64.dmp; echo "exit $?"; head -3 "$d/r.txt"; rm -rf "$d"
