$LALSCAN info --modules fixtures/dumps/x64-triage.dmp
