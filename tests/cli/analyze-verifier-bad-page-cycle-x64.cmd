$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-bad-page-cycle-x64.dmp
