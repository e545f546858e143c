$LALSCAN --json --driver otherdrv.sys fixtures/dumps/verifier-nobugcheck-win10-x64.dmp
