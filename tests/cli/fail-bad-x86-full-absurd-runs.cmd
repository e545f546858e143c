$LALSCAN info fixtures/dumps/bad-x86-full-absurd-runs.dmp 2>&1
