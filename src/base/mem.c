/* mem.c - releasing what a struct owns (tw_mem.h). */
#include "tw_mem.h"

#include <stdlib.h>

void tw_free_n(void *const *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}

void tw_strings_free(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}
