$LALSCAN info --json fixtures/dumps/x64-bitmap-kernel.dmp.gz
