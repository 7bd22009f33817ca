/*
 * subjects.c - teachers by school and subject (config `subjects`,
 * docs/model.md "Subjects"): the counts behind the hires' subjects and the
 * subject metrics. Only a world with subjects calls it.
 */
#include "tw_world.h"

#include <string.h>

void tw_subject_count(const tw_sim *s)
{
    const tw_world *w = s->w;
    uint32_t *n = s->subj_n;
    double *c = s->subj_c;
    memset(n, 0, w->n_schools * TW_MAX_SUBJECTS * sizeof *n);
    memset(c, 0, w->n_counties * TW_MAX_SUBJECTS * sizeof *c);
    const tw_teachers arrays = s->T, *T = &arrays;
    for (size_t k = 0; k < s->n; k++) {
        unsigned fl = T->flags[k];
        if (fl & TW_F_GONE)
            continue;
        unsigned j = T->subject[k];
        if (!(fl & TW_F_POOL))
            n[(size_t)T->school[k] * TW_MAX_SUBJECTS + j]++;
        c[(size_t)w->schools[T->home[k]].county * TW_MAX_SUBJECTS + j] += 1;
    }
}
