$LALSCAN info --modules fixtures/dumps/x64-kernel-user.dmp
