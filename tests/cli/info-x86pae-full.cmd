$LALSCAN info --modules fixtures/dumps/x86pae-full.dmp
