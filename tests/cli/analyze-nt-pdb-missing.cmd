$LALSCAN --nt-pdb fixtures/no-such.pdb fixtures/dumps/verifier-win7-x64.dmp
