$LALSCAN info fixtures/dumps/bad-x64-bitmap-absurd.dmp 2>&1
