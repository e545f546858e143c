$LALSCAN --driver laldrv.sys -y fixtures/drivers/bin fixtures/dumps/verifier-nobugcheck-2003-x86.dmp
