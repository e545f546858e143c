$LALSCAN -y fixtures/drivers/bin fixtures/dumps/verifier-xp-x86-60.dmp
