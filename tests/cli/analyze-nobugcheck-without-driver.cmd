$LALSCAN fixtures/dumps/verifier-nobugcheck-win10-x64.dmp
