/*
 * tw_mem.h - releasing what a struct owns, in one call per struct:
 *
 *   TW_FREE(t->config, t->lever, t->value);   free() of each, in order
 *   tw_strings_free(t->names, t->n_names);     each string, then the array
 */
#ifndef TW_MEM_H
#define TW_MEM_H

#include <stddef.h>

/* free() of p[0..n) (NULL entries allowed). */
void tw_free_n(void *const *p, size_t n);

#define TW_FREE(...)                                    \
    tw_free_n((void *const[]){ __VA_ARGS__ },           \
              sizeof((void *const[]){ __VA_ARGS__ }) /  \
                  sizeof(void *))

/* free() of v[0..n), then of v; v may be NULL (then nothing is freed). */
void tw_strings_free(char **v, size_t n);

#endif
