$LALSCAN --nt-pdb fixtures/types/types-x64.pdb fixtures/dumps/verifier-win10-x64.dmp
