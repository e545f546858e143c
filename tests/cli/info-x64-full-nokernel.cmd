$LALSCAN info --modules fixtures/dumps/x64-full-nokernel.dmp
