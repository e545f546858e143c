$LALSCAN info fixtures/dumps/bad-x64-bitmap-encrypted.dmp 2>&1
