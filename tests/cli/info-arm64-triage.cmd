$LALSCAN info --modules fixtures/dumps/arm64-triage.dmp
