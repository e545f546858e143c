$LALSCAN info --modules fixtures/dumps/x86pae-bitmap-full.dmp
