$LALSCAN info fixtures/dumps/bad-x64-triage-no-trgd.dmp 2>&1
