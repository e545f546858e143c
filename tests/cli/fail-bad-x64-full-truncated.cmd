$LALSCAN info fixtures/dumps/bad-x64-full-truncated.dmp 2>&1
