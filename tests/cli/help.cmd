$LALSCAN --help
