$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-bad-counters-x64.dmp
