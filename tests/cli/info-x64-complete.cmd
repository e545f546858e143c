$LALSCAN info --modules fixtures/dumps/x64-complete.dmp
