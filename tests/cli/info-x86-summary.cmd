$LALSCAN info --modules fixtures/dumps/x86-summary.dmp
