$LALSCAN info fixtures/dumps/bad-x86-full-module-cycle.dmp 2>&1
