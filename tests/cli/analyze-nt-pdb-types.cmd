$LALSCAN --nt-pdb fixtures/types/types-x64.pdb -y fixtures/drivers/bin fixtures/dumps/verifier-win7-x64.dmp
