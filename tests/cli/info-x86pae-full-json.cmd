$LALSCAN info --json fixtures/dumps/x86pae-full.dmp
