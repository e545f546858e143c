$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-bad-huge-depth-x86.dmp
