$LALSCAN --json --nt-pdb fixtures/types/types-x64.pdb fixtures/dumps/verifier-win7-x64.dmp
