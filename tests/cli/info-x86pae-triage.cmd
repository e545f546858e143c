$LALSCAN info --modules fixtures/dumps/x86pae-triage.dmp
