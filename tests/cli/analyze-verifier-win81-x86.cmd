$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-win81-x86.dmp
