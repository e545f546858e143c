$LALSCAN ../shared/realworld/dump-rizin-triage-x64/triage_x64.dmp
