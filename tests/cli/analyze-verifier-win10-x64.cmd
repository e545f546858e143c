$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-win10-x64.dmp
