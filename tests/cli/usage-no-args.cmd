$LALSCAN 2>&1 | head -3
