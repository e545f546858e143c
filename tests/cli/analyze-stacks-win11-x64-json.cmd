$LALSCAN --json --nt-pdb fixtures/kernel/ntkrnl-fake-x64.pdb -y fixtures/drivers/bin fixtures/dumps/verifier-win11-x64.dmp
