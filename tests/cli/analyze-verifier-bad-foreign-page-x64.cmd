$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-bad-foreign-page-x64.dmp
