$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-triage-x64.dmp
