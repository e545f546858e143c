$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-none-x64.dmp
