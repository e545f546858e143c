$LALSCAN info --modules fixtures/dumps/x86pae-summary.dmp
