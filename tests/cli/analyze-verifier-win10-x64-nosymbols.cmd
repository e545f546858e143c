$LALSCAN fixtures/dumps/verifier-win10-x64.dmp
