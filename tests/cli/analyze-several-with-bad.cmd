$LALSCAN --json fixtures/dumps/x64-full.dmp fixtures/dumps/bad-x64-signature.dmp 2>&1
