$LALSCAN info --modules fixtures/dumps/x64-bitmap-full.dmp
