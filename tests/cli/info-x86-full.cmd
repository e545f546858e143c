$LALSCAN info --modules fixtures/dumps/x86-full.dmp
