$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-devext-win10-x64.dmp
