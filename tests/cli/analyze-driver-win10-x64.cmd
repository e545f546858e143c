$LALSCAN --driver laldrv.sys -y fixtures/drivers/bin fixtures/dumps/verifier-nobugcheck-win10-x64.dmp
