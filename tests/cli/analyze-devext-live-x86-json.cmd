$LALSCAN --json -y fixtures/drivers/bin fixtures/dumps/verifier-devext-live-x86.dmp
