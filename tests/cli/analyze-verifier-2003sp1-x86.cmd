$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-2003sp1-x86.dmp
