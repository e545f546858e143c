$LALSCAN info --modules fixtures/dumps/x86-triage.dmp
