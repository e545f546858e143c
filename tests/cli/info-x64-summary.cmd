$LALSCAN info --modules fixtures/dumps/x64-summary.dmp
