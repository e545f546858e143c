/* text_wrap.c - paragraphs for the text report: wrapped at a width with an indent, keeping
 * the line breaks the analysis put in on purpose (lists of call sites). */
#include "report_internal.h"

#include <string.h>

void ls_text_wrap(ls_buf *o, const char *text, int indent, int width)
{
    const char *p = text;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        /* A line the analysis indented itself is kept whole; an empty one stays empty. */
        if (len == 0) {
            ls_buf_printf(o, "\n");
        } else if (p[0] == ' ') {
            ls_buf_printf(o, "%*s%.*s\n", indent, "", (int)len, p);
        } else {
            size_t col = 0, i = 0;
            ls_buf_printf(o, "%*s", indent, "");
            while (i < len) {
                size_t w = 0;
                while (i + w < len && p[i + w] != ' ')
                    w++;
                if (col && (int)(indent + col + 1 + w) > width) {
                    ls_buf_printf(o, "\n%*s", indent, "");
                    col = 0;
                } else if (col) {
                    ls_buf_printf(o, " ");
                    col++;
                }
                ls_buf_printf(o, "%.*s", (int)w, p + i);
                col += w;
                i += w;
                while (i < len && p[i] == ' ')
                    i++;
            }
            ls_buf_printf(o, "\n");
        }
        p += len;
        if (*p == '\n')
            p++;
    }
}
