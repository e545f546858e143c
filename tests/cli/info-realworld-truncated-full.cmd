$LALSCAN info ../shared/realworld/dump-imhex-fulldump-header16k/dmp64.hexpat.bin
