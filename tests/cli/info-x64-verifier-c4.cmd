$LALSCAN info --modules fixtures/dumps/x64-verifier-c4.dmp
