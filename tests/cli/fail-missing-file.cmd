$LALSCAN info fixtures/dumps/no-such.dmp 2>&1
