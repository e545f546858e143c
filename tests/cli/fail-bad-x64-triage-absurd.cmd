$LALSCAN info fixtures/dumps/bad-x64-triage-absurd.dmp 2>&1
