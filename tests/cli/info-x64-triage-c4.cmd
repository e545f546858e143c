$LALSCAN info --modules fixtures/dumps/x64-triage-c4.dmp
