/* error.c - the tw_error helpers (see tw_error.h). */
#include "tw_error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void tw_error_clear(tw_error *err)
{
    if (err == NULL)
        return;
    err->code = TW_OK;
    err->msg[0] = '\0';
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
    return code;
}

int tw_error_add(tw_error *err, int code, const char *fmt, ...)
{
    if (err == NULL)
        return code;
    size_t len = strlen(err->msg);
    if (len > 0 && len + 1 < sizeof err->msg)
        err->msg[len++] = '\n';
    if (len + 1 < sizeof err->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
        va_end(ap);
    }
    if (err->code == TW_OK)
        err->code = code;
    return err->code;
}
