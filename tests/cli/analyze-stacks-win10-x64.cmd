$LALSCAN --nt-pdb fixtures/kernel/ntkrnl-fake-x64.pdb -y fixtures/drivers/bin fixtures/dumps/verifier-win10-x64.dmp
