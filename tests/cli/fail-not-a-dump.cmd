$LALSCAN info man/lalscan.1 2>&1
