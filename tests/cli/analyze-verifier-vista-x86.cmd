$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-vista-x86.dmp
