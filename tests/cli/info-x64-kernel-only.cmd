$LALSCAN info --modules fixtures/dumps/x64-kernel-only.dmp
