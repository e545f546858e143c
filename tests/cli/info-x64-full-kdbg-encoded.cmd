$LALSCAN info --modules fixtures/dumps/x64-full-kdbg-encoded.dmp
