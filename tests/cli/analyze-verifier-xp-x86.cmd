$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-xp-x86.dmp
