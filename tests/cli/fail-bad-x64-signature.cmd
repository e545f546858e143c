$LALSCAN info fixtures/dumps/bad-x64-signature.dmp 2>&1
