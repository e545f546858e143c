$LALSCAN --driver nosuch.sys fixtures/dumps/verifier-nobugcheck-win10-x64.dmp
