$LALSCAN info --modules fixtures/dumps/x64-full-qemu.dmp
