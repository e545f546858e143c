$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-2003-x64.dmp
