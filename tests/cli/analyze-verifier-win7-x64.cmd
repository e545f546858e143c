$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-win7-x64.dmp
