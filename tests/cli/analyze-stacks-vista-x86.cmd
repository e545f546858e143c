$LALSCAN --nt-pdb fixtures/kernel/ntkrnl-fake-x86.pdb -y fixtures/drivers/bin fixtures/dumps/verifier-vista-x86.dmp
