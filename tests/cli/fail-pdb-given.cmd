$LALSCAN info fixtures/drivers/bin/laldrv-x64-O2.pdb 2>&1
