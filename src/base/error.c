/* error.c - the tw_error helpers (see tw_error.h). */
#include "tw_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* room kept at the end of msg for the "... and N more problems" line */
#define TAIL_ROOM 48

void tw_error_clear(tw_error *err)
{
    if (err == NULL)
        return;
    err->code = TW_OK;
    err->msg[0] = '\0';
    err->n_more = 0;
}

int tw_error_set(tw_error *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    err->n_more = 0;
    return code;
}

int tw_error_add(tw_error *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    if (err->code == TW_OK)
        err->code = code;
    char line[TW_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (err->n_more > 0) { /* drop the old "... and N more" line */
        char *nl = strrchr(err->msg, '\n');
        if (nl != NULL)
            *nl = '\0';
        else
            err->msg[0] = '\0';
    }
    size_t len = strlen(err->msg), lines = len > 0;
    for (const char *p = err->msg; (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    size_t need = len + (len > 0) + strlen(line) + 1;
    if (err->n_more == 0 && lines < TW_ERROR_MAX_LINES &&
        need + TAIL_ROOM <= sizeof err->msg) {
        snprintf(err->msg + len, sizeof err->msg - len, "%s%s",
                 len > 0 ? "\n" : "", line);
        return err->code;
    }
    err->n_more++;
    snprintf(err->msg + len, sizeof err->msg - len, "%s... and %u more "
             "problem%s", len > 0 ? "\n" : "", err->n_more,
             err->n_more == 1 ? "" : "s");
    return err->code;
}

void tw_error_print(FILE *f, const char *prefix, const tw_error *err)
{
    const char *p = err->msg[0] ? err->msg : "failed";
    while (*p) {
        size_t n = strcspn(p, "\n");
        fprintf(f, "%s%.*s\n", prefix, (int)n, p);
        p += n;
        if (*p == '\n')
            p++;
    }
}
