$LALSCAN info 2>&1
