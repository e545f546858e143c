# man2help.awk - turns the help-bearing sections of man/lalscan.1 into a C array of lines,
# so `lalscan --help` and the manual page come from one source. Text is filled like troff.
function plain(s) {
    gsub(/\\f[BIRP]/, "", s); gsub(/\\-/, "-", s); gsub(/\\\(dq/, "\"", s); gsub(/\\e/, "\\", s)
    return s
}
function macro_text(m, s,    n, parts, i, out, sep) {
    # .B/.I join their arguments with spaces; .BR/.BI/.IR/.RB alternate fonts with no space
    out = ""; n = 0; sep = (m == "B" || m == "I") ? " " : ""
    while (length(s) > 0) {
        sub(/^ +/, "", s)
        if (s == "") break
        if (substr(s, 1, 1) == "\"") { i = index(substr(s, 2), "\""); parts[++n] = substr(s, 2, i - 1); s = substr(s, i + 2) }
        else { i = index(s, " "); if (i == 0) { parts[++n] = s; s = "" } else { parts[++n] = substr(s, 1, i - 1); s = substr(s, i + 1) } }
    }
    for (i = 1; i <= n; i++) out = out (i > 1 ? sep : "") parts[i]
    return out
}
function emit(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); print "    \"" s "\"," }
function flush(    words, n, i, line) {
    if (para == "") return
    n = split(para, words, " "); line = ""
    for (i = 1; i <= n; i++) {
        if (line != "" && length(indent line " " words[i]) > 92) { emit(indent line); line = "" }
        line = line == "" ? words[i] : line " " words[i]
    }
    if (line != "") emit(indent line)
    para = ""
}
BEGIN { keep = 0; tag = 0; para = ""; print "/* generated from man/lalscan.1 by tools/man2help.awk; do not edit */"; print "static const char *const help_lines[] = {" }
/^\.\\"/ { next }
/^\.SH / { flush(); sec = substr($0, 5); gsub(/"/, "", sec)
           keep = (sec == "SYNOPSIS" || sec == "COMMANDS" || sec == "OPTIONS" || sec == "EXIT STATUS")
           if (keep) { if (started) emit(""); emit(sec == "SYNOPSIS" ? "Usage:" : sec ":"); started = 1 }
           indent = "  "; next }
!keep { next }
/^\.TP/ { flush(); tag = 1; next }
/^\.PP/ { flush(); emit(""); next }
/^\.(nf|fi|TH)/ { next }
{
    line = $0
    if (match(line, /^\.(B|I|BR|BI|IR|RB) /)) { m = substr(line, 2, RLENGTH - 2); line = macro_text(m, substr(line, RLENGTH + 1)) }
    line = plain(line)
    if (tag) { emit("  " line); tag = 0; indent = "      "; next }
    if (sec == "SYNOPSIS") { emit("  " line); next }
    para = para == "" ? line : para " " line
}
END { flush(); print "    0"; print "};" }
