/*
 * store.c - a replicate's state and its teacher records (tw_world.h):
 * allocation, append, remove, compact, headcounts. It sits below both the
 * processes, which add and remove teachers, and the year (year.c), which
 * calls the processes; it calls neither.
 */
#include "tw_world.h"

#include <stdlib.h>
#include <string.h>

#include "tw_rng.h"

tw_sim *tw_sim_alloc(const tw_world *w)
{
    tw_sim *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->w = w;
    s->rng = tw_rng_alloc();
    s->S = calloc(w->n_schools ? w->n_schools : 1, sizeof *s->S);
    size_t nc = w->n_counties ? w->n_counties : 1;
    s->county_cap = calloc(nc, sizeof *s->county_cap);
    s->county_leavers = calloc(nc, sizeof *s->county_leavers);
    s->cf = calloc(nc, sizeof *s->cf);
    s->ctally = calloc(nc, sizeof *s->ctally);
    s->sscratch = calloc(8 * (w->n_schools ? w->n_schools : 1) + 8,
                         sizeof *s->sscratch);
    s->dscratch = calloc(3 * (w->n_schools ? w->n_schools : 1),
                         sizeof *s->dscratch);
    if (w->n_subjects > 0) {
        s->subj_n = calloc((w->n_schools ? w->n_schools : 1) *
                               TW_MAX_SUBJECTS, sizeof *s->subj_n);
        s->subj_c = calloc(nc * TW_MAX_SUBJECTS, sizeof *s->subj_c);
        s->subj_d = calloc((w->n_schools ? w->n_schools : 1) *
                               TW_MAX_SUBJECTS, sizeof *s->subj_d);
        if (!s->subj_n || !s->subj_c || !s->subj_d) {
            tw_sim_free(s);
            return NULL;
        }
    }
    if (!s->rng || !s->S || !s->county_cap || !s->county_leavers ||
        !s->cf || !s->ctally || !s->sscratch || !s->dscratch) {
        tw_sim_free(s);
        return NULL;
    }
    return s;
}

void tw_sim_set_world(tw_sim *s, const tw_world *w)
{
    s->w = w;
    free(s->place); /* planned from w's stock and demand by tw_sim_init */
    s->place = NULL;
}

void tw_sim_free(tw_sim *s)
{
    if (s == NULL)
        return;
    if (s->rng)
        gsl_rng_free(s->rng);
    free(s->T.school); /* the block of every array (tw_sim_reserve) */
    free(s->S);
    free(s->county_cap);
    free(s->county_leavers);
    free(s->cf);
    free(s->ctally);
    free(s->sscratch);
    free(s->place);
    free(s->into);
    free(s->subj_n);
    free(s->subj_c);
    free(s->subj_d);
    free(s->idx);
    free(s->idx2);
    free(s->dscratch);
    free(s);
}

/*
 * Grow the teacher arrays (and the scratch that is sized by them) to hold
 * `need` records; amortised doubling, never per teacher-year. The arrays
 * share one block, in the order of TW_TEACHER_FIELDS (widest first, so
 * each is aligned), starting at T.school, each followed by SKEW bytes:
 *
 *   [ school[cap] | . | home[cap] | . | birth_year[cap] | . | ... ]
 *
 * cap is a power of two, so without the skew entry k of every one-byte
 * array would sit at the same address modulo 4 KiB, in the same cache
 * set: a pass reading more arrays than the cache has ways (the tally
 * reads 9, the initial population writes 19) would evict its own lines.
 * The skew puts array i's entry k in set i further on.
 */
#define SKEW 64
#define TW_X_ONE(type, name) + 1
enum { N_FIELDS = 0 TW_TEACHER_FIELDS(TW_X_ONE) };
#undef TW_X_ONE

int tw_sim_reserve(tw_sim *s, size_t need)
{
    if (need <= s->cap)
        return 0;
    size_t cap = s->cap ? s->cap : 1024;
    while (cap < need)
        cap *= 2;
    char *block = malloc(cap * TW_TEACHER_BYTES + N_FIELDS * SKEW);
    if (block == NULL)
        return -1;
    uint32_t *idx = realloc(s->idx, cap * sizeof *idx);
    if (idx == NULL) {
        free(block);
        return -1;
    }
    s->idx = idx;
    uint32_t *idx2 = realloc(s->idx2, cap * sizeof *idx2);
    if (idx2 == NULL) {
        free(block);
        return -1;
    }
    s->idx2 = idx2;
    tw_teachers T;
    char *at = block;
#define TW_X_MOVE(type, name)                                           \
    T.name = (type *)(void *)at;                                        \
    at += cap * sizeof(type) + SKEW;                                    \
    if (s->n > 0)                                                       \
        memcpy(T.name, s->T.name, s->n * sizeof(type));
    TW_TEACHER_FIELDS(TW_X_MOVE)
#undef TW_X_MOVE
    free(s->T.school);
    s->T = T;
    s->cap = cap;
    return 0;
}

int tw_sim_append(tw_sim *s, const tw_teacher *x)
{
    if (tw_sim_reserve(s, s->n + 1) != 0)
        return -1;
    tw_sim_put(s, s->n++, x);
    return 0;
}

void tw_sim_remove(tw_sim *s, size_t k, tw_exit reason)
{
    if (s->T.flags[k] & TW_F_GONE)
        return;
    s->T.flags[k] |= TW_F_GONE;
    const tw_school *home = &s->w->schools[s->T.home[k]];
    TW_FLOW_ADD(s, home->county, exits[reason][home->stage], 1);
    s->county_leavers[home->county] += 1;
}

/* Leavers are a few percent a year: move each run of kept teachers with
 * one memmove per field, not one teacher at a time. */
void tw_sim_compact(tw_sim *s)
{
    const uint8_t *flags = s->T.flags;
    const size_t n = s->n;
    size_t k = 0;
    while (k < n && !(flags[k] & TW_F_GONE))
        k++;
    size_t kept = k;
    while (k < n) {
        while (k < n && (flags[k] & TW_F_GONE))
            k++;
        size_t start = k;
        while (k < n && !(flags[k] & TW_F_GONE))
            k++;
        size_t len = k - start;
        if (len == 0)
            break;
#define TW_X_KEEP(type, name)                                           \
        memmove(s->T.name + kept, s->T.name + start, len * sizeof(type));
        TW_TEACHER_FIELDS(TW_X_KEEP)
#undef TW_X_KEEP
        kept += len;
    }
    s->n = kept;
}

void tw_sim_count_heads(tw_sim *s)
{
    for (size_t i = 0; i < s->w->n_schools; i++)
        s->S[i].headcount = 0;
    const uint8_t *flags = s->T.flags;
    const uint32_t *school = s->T.school;
    for (size_t k = 0; k < s->n; k++)
        if (!(flags[k] & (TW_F_GONE | TW_F_POOL)))
            s->S[school[k]].headcount++;
}

void tw_tally_sum(tw_tally *to, const tw_tally *from)
{
    /* every member is an array of uint32_t */
    uint32_t *a = (uint32_t *)to;
    const uint32_t *b = (const uint32_t *)from;
    for (size_t i = 0; i < sizeof *to / sizeof(uint32_t); i++)
        a[i] += b[i];
}
