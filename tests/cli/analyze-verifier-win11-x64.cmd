$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-win11-x64.dmp
