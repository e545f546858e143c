$LALSCAN info --modules fixtures/dumps/x86-bitmap-kernel.dmp
