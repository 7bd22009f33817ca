/*
 * compare.c - paired comparison of two runs on common random numbers
 * (tw_experiment.h).
 *
 * For every metric and year, and for every target, the difference
 * alt − base is taken replicate by replicate; its mean, sd, the 90%
 * interval of the mean (Student t) and the 90% band of the differences
 * are reported. A target's change in P(met) is the mean of the paired
 * differences of the met indicators (1 met, 0 not), with the same
 * interval, and the numbers of replicates that gained and lost it.
 */
#include "tw_experiment.h"
#include "tw_mem.h"
#include "tw_run.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <hdf5.h>

#include "tw_h5util.h"

void tw_paired_stats(const double *d, size_t n, tw_paired *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return;
    double lo = d[0], hi = d[0];
    for (size_t i = 1; i < n; i++) {
        lo = d[i] < lo ? d[i] : lo;
        hi = d[i] > hi ? d[i] : hi;
    }
    if (lo == hi) {
        /* the same difference in every replicate: it is the answer, with
         * no spread, exactly (not a mean that rounding may move) */
        out->mean = out->ci_lo = out->ci_hi = out->p05 = out->p95 = lo;
        out->same = 1;
        return;
    }
    out->mean = gsl_stats_mean(d, 1, n);
    out->sd = gsl_stats_sd_m(d, 1, n, out->mean);
    double t = gsl_cdf_tdist_Pinv(0.95, (double)(n - 1));
    double half = t * out->sd / sqrt((double)n);
    out->ci_lo = out->mean - half;
    out->ci_hi = out->mean + half;
    double *s = malloc(n * sizeof *s);
    if (s == NULL) {
        out->p05 = out->p95 = out->mean;
        return;
    }
    memcpy(s, d, n * sizeof *s);
    gsl_sort(s, 1, n);
    out->p05 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.05);
    out->p95 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.95);
    free(s);
}

void tw_paired_change_interval(size_t both, size_t gained, size_t lost,
                               size_t neither, double *lo, double *hi)
{
    size_t n = both + gained + lost + neither;
    if (n == 0) {
        *lo = -1;
        *hi = 1;
        return;
    }
    /* 1 = alt, 2 = base: p1 - p2 = (gained - lost) / n */
    double nn = (double)n, a = (double)both, b = (double)gained;
    double c = (double)lost, d = (double)neither;
    double p1 = (a + b) / nn, p2 = (a + c) / nn, l1, u1, l2, u2;
    tw_wilson(both + gained, n, &l1, &u1);
    tw_wilson(both + lost, n, &l2, &u2);
    double den = sqrt((a + b) * (c + d) * (a + c) * (b + d));
    double phi = den > 0 ? (a * d - b * c) / den : 0;
    double dl = (p1 - l1) * (p1 - l1) - 2 * phi * (p1 - l1) * (u2 - p2) +
                (u2 - p2) * (u2 - p2);
    double du = (u1 - p1) * (u1 - p1) - 2 * phi * (u1 - p1) * (p2 - l2) +
                (p2 - l2) * (p2 - l2);
    double theta = p1 - p2;
    *lo = theta - sqrt(dl > 0 ? dl : 0);
    *hi = theta + sqrt(du > 0 ? du : 0);
    *lo = *lo < -1 ? -1 : *lo;
    *hi = *hi > 1 ? 1 : *hi;
}

void tw_comparison_free(tw_comparison *c)
{
    if (c == NULL)
        return;
    tw_strings_free(c->target_names, c->n_targets);
    TW_FREE(c->metric, c->p_base, c->p_alt, c->dp, c->gained, c->lost);
    memset(c, 0, sizeof *c);
}

/* Evaluate the targets t[0..nt) on run d; met is [reps][nt]. */
static int eval_on(const tw_h5_data *d, const tw_target *t, size_t nt,
                   unsigned char *met, tw_error *err)
{
    tw_target_result *res = calloc(nt ? nt : 1, sizeof *res);
    int rc = res == NULL
                 ? tw_error_set(err, TW_EFAIL, "out of memory")
                 : tw_file_targets(d, NULL, d->trajectories, d->n_reps,
                                   t, nt, met, res, NULL, NULL, NULL, err);
    free(res);
    return rc;
}

int tw_compare(const tw_h5_data *base, const tw_h5_data *alt,
               tw_comparison *out, tw_error *err)
{
    memset(out, 0, sizeof *out);
    if (base->n_years != alt->n_years || base->n_metrics != alt->n_metrics ||
        base->n_reps != alt->n_reps)
        return tw_error_set(err, TW_EINPUT, "the runs differ in shape (%zu "
                            "replicates x %zu years x %zu metrics against "
                            "%zu x %zu x %zu): compare runs of one config "
                            "with the same replicates",
                            base->n_reps, base->n_years, base->n_metrics,
                            alt->n_reps, alt->n_years, alt->n_metrics);
    for (size_t y = 0; y < base->n_years; y++)
        if (base->years[y] != alt->years[y])
            return tw_error_set(err, TW_EINPUT, "the runs cover other years");
    for (size_t m = 0; m < base->n_metrics; m++)
        if (strcmp(base->metric_names[m], alt->metric_names[m]) != 0)
            return tw_error_set(err, TW_EINPUT, "the runs have other metrics "
                                "('%s' against '%s')", base->metric_names[m],
                                alt->metric_names[m]);
    for (size_t r = 0; r < base->n_reps; r++)
        if (!base->done[r] || !alt->done[r])
            return tw_error_set(err, TW_EINPUT, "replicate %zu is not "
                                "complete in both runs (finish them with "
                                "--resume)", r);
    if (base->seed != alt->seed)
        return tw_error_set(err, TW_EINPUT, "the runs have other seeds (%llu "
                            "and %llu): paired differences need common random "
                            "numbers; run both with the same seed",
                            (unsigned long long)base->seed,
                            (unsigned long long)alt->seed);

    /* two runs of expected values: every difference is exact */
    int mean_field = base->mode && strstr(base->mode, "mean-field") &&
                     alt->mode && strstr(alt->mode, "mean-field");
    size_t R = base->n_reps, Y = base->n_years, M = base->n_metrics;
    size_t nt = base->n_targets;
    out->n_reps = R;
    out->n_years = Y;
    out->n_metrics = M;
    out->metric = calloc(Y * M, sizeof *out->metric);
    double *d = malloc(R * sizeof *d);
    size_t cells = R * nt > 0 ? R * nt : 1;
    unsigned char *ma = malloc(2 * cells); /* base, then alt */
    unsigned char *mb = ma ? ma + cells : NULL;
    out->target_names = calloc(nt ? nt : 1, sizeof *out->target_names);
    out->p_base = calloc(nt ? nt : 1, sizeof *out->p_base);
    out->p_alt = calloc(nt ? nt : 1, sizeof *out->p_alt);
    out->dp = calloc(nt ? nt : 1, sizeof *out->dp);
    out->gained = calloc(nt ? nt : 1, sizeof *out->gained);
    out->lost = calloc(nt ? nt : 1, sizeof *out->lost);
    int rc = TW_OK;
    if (!out->metric || !d || !ma || !mb || !out->target_names ||
        !out->p_base || !out->p_alt || !out->dp || !out->gained ||
        !out->lost) {
        rc = tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    for (size_t y = 0; y < Y; y++) {
        for (size_t m = 0; m < M; m++) {
            for (size_t r = 0; r < R; r++) {
                size_t i = (r * Y + y) * M + m;
                d[r] = alt->trajectories[i] - base->trajectories[i];
            }
            tw_paired_stats(d, R, &out->metric[y * M + m]);
        }
    }
    /* the base run's targets, evaluated on both trajectories */
    if (nt > 0) {
        rc = eval_on(base, base->targets, nt, ma, err);
        if (rc == TW_OK)
            rc = eval_on(alt, base->targets, nt, mb, err);
        if (rc != TW_OK)
            goto out;
    }
    for (size_t i = 0; i < nt; i++) {
        out->target_names[i] = strdup(base->targets[i].name);
        if (out->target_names[i] == NULL) {
            rc = tw_error_set(err, TW_EFAIL, "out of memory");
            goto out;
        }
        out->n_targets = i + 1;
        double sa = 0, sb = 0;
        for (size_t r = 0; r < R; r++) {
            int a = ma[r * nt + i], b = mb[r * nt + i];
            sa += a;
            sb += b;
            d[r] = (double)(b - a);
            out->gained[i] += b && !a;
            out->lost[i] += a && !b;
        }
        out->p_base[i] = sa / (double)R;
        out->p_alt[i] = sb / (double)R;
        tw_paired_stats(d, R, &out->dp[i]);
        /* met indicators are 0 or 1: the t interval of their differences
         * collapses to a point when every replicate gains (or none
         * changes); Newcombe's interval is honest there */
        size_t both = (size_t)sa - out->lost[i];
        if (!mean_field)
            tw_paired_change_interval(
                both, out->gained[i], out->lost[i],
                R - both - out->gained[i] - out->lost[i], &out->dp[i].ci_lo,
                &out->dp[i].ci_hi);
    }
out:
    free(d);
    free(ma);
    if (rc != TW_OK)
        tw_comparison_free(out);
    return rc;
}

/* ---- which metrics a comparison shows ------------------------------- */

/* A dotted component of the name m equals w. */
static int has_part(const char *m, const char *w)
{
    size_t n = strlen(w);
    for (const char *p = m; p != NULL; p = strchr(p, '.')) {
        if (*p == '.')
            p++;
        if (strncmp(p, w, n) == 0 && (p[n] == '.' || p[n] == '\0'))
            return 1;
    }
    return 0;
}

/* Mark the metric called `name` in show, when base has it. */
static void mark(const tw_h5_data *base, unsigned char *show,
                 const char *name)
{
    for (size_t m = 0; m < base->n_metrics; m++)
        if (strcmp(base->metric_names[m], name) == 0)
            show[m] = 1;
}

/* Mark the metrics of the family a target's metric `t` belongs to (the
 * table of docs/experiments.md, "Which metrics compare shows"). */
static void mark_family(const tw_h5_data *base, unsigned char *show,
                        const char *t)
{
    char n[160];
    mark(base, show, t);
    /* the part of the name that may hold a stage: a title metric's stage
     * comes after its title, which may read like one ("senior") */
    const char *where = t;
    if (strncmp(t, "title.", 6) == 0 || strncmp(t, "promotions.title.", 17) == 0)
        where = "";
    else if (strncmp(t, "teachers.title.", 15) == 0)
        where = strchr(t + 15, '.') ? strchr(t + 15, '.') + 1 : "";
    /* its stage (or stage group): the stage's stock and flows */
    for (size_t m = 0; *where && m < base->n_metrics; m++) {
        const char *sn = base->metric_names[m];
        if (strncmp(sn, "teachers.stage.", 15) != 0 || strchr(sn + 15, '.'))
            continue;
        const char *st = sn + 15;
        if (!has_part(where, st))
            continue;
        static const char *const fam[] = {
            "teachers.stage.", "hires.stage.", "exits.stage.",
            "posts.unfilled.", "demand."};
        for (size_t k = 0; k < sizeof fam / sizeof fam[0]; k++) {
            snprintf(n, sizeof n, "%s%s", fam[k], st);
            mark(base, show, n);
        }
    }
    /* its tier: the tier's stock and promotions into it; the backbone
     * count: every tier */
    unsigned tier;
    if (sscanf(t, "teachers.tier.%u", &tier) == 1 ||
        sscanf(t, "promotions.tier.%u", &tier) == 1) {
        snprintf(n, sizeof n, "teachers.tier.%u", tier);
        mark(base, show, n);
        snprintf(n, sizeof n, "promotions.tier.%u", tier);
        mark(base, show, n);
    }
    int backbone = strcmp(t, "teachers.backbone_plus") == 0 ||
                   strcmp(t, "backbone.rural.share") == 0;
    for (size_t m = 0; backbone && m < base->n_metrics; m++) {
        const char *mn = base->metric_names[m];
        size_t dots = 0;
        for (const char *p = mn; *p; p++)
            dots += *p == '.';
        /* the region's tiers (x.tier.i), not their by-stage split */
        if (dots == 2 && (sscanf(mn, "teachers.tier.%u", &tier) == 1 ||
                          sscanf(mn, "promotions.tier.%u", &tier) == 1))
            show[m] = 1;
    }
    if (strcmp(t, "backbone.rural.share") == 0)
        mark(base, show, "teachers.backbone_plus");
    /* its title: the count, the share and promotions into it */
    char w[64];
    if (sscanf(t, "teachers.title.%63[a-z_]", w) == 1 ||
        sscanf(t, "title.%63[a-z_]", w) == 1 ||
        sscanf(t, "promotions.title.%63[a-z_]", w) == 1) {
        snprintf(n, sizeof n, "teachers.title.%s", w);
        mark(base, show, n);
        snprintf(n, sizeof n, "title.%s.share", w);
        mark(base, show, n);
        snprintf(n, sizeof n, "promotions.title.%s", w);
        mark(base, show, n);
        mark(base, show, "titles.demotions");
    }
    /* 编制 (the establishment): cap, used and room, region-wide */
    if (strncmp(t, "establishment.", 14) == 0 ||
        strncmp(t, "teachers.bianzhi", 16) == 0) {
        mark(base, show, "establishment.cap");
        mark(base, show, "establishment.used");
        mark(base, show, "establishment.room");
    }
    /* a gap: the total gap and the unfilled posts */
    if (strncmp(t, "gap.", 4) == 0 ||
        strcmp(t, "schools.meeting_standard.share") == 0) {
        mark(base, show, "gap.total");
        mark(base, show, "posts.unfilled");
    }
    /* a subject: its teachers, shortage and schools without one */
    if (sscanf(t, "teachers.subject.%63s", w) == 1 ||
        sscanf(t, "shortage.subject.%63s", w) == 1 ||
        sscanf(t, "schools.without.%63s", w) == 1) {
        static const char *const fam[] = {
            "teachers.subject.", "shortage.subject.", "schools.without."};
        for (size_t k = 0; k < sizeof fam / sizeof fam[0]; k++) {
            snprintf(n, sizeof n, "%s%s", fam[k], w);
            mark(base, show, n);
        }
    }
}

size_t tw_compare_select(const tw_h5_data *base, const char *filter,
                         int all, unsigned char *show)
{
    size_t M = base->n_metrics, shown = 0;
    for (size_t m = 0; m < M; m++)
        show[m] = all || (filter && strstr(base->metric_names[m], filter));
    if (!all && filter == NULL) {
        mark(base, show, "teachers.total");
        mark(base, show, "hires.total");
        mark(base, show, "exits.total");
        for (size_t i = 0; i < base->n_targets; i++)
            mark_family(base, show, base->targets[i].metric);
    }
    for (size_t m = 0; m < M; m++)
        shown += show[m];
    return shown;
}

/* ---- the printed comparison ------------------------------------------ */

void tw_comparison_print(FILE *f, const tw_comparison *c,
                         const tw_h5_data *base, const char *base_name,
                         const char *alt_name, const unsigned char *show)
{
    int mf = base->mode != NULL && strstr(base->mode, "mean-field") != NULL;
    if (mf)
        fprintf(f, "Comparison: %s minus %s, mean-field runs (expected "
                "values: each difference is exact, with no interval)\n\n",
                alt_name, base_name);
    else
        fprintf(f, "Paired comparison: %s minus %s, %zu replicate%s on "
                "common random numbers\n\n", alt_name, base_name,
                c->n_reps, c->n_reps == 1 ? "" : "s");
    if (c->n_targets > 0) {
        fprintf(f, "  %-28s %8s %8s %9s  %-19s %6s %5s\n", "target",
                "P(base)", "P(alt)", "change", "90% interval", "gained",
                "lost");
        for (size_t i = 0; i < c->n_targets; i++) {
            char iv[48];
            if (c->n_reps > 1)
                snprintf(iv, sizeof iv, "%+.3f to %+.3f", c->dp[i].ci_lo,
                         c->dp[i].ci_hi);
            else
                snprintf(iv, sizeof iv, "%s", mf ? "(exact)"
                                                 : "(one replicate)");
            fprintf(f, "  %-28s %8.3f %8.3f %+9.3f  %-19s %6zu %5zu\n",
                    c->target_names[i], c->p_base[i], c->p_alt[i],
                    c->dp[i].mean, iv, c->gained[i], c->lost[i]);
        }
        if (!mf)
            fputs("  90% interval: of the change in P(met) (Newcombe's, "
                  "from the replicates that gained\n  and lost the "
                  "target)\n", f);
        fputc('\n', f);
    }
    size_t y = c->n_years - 1, M = c->n_metrics, shown = 0;
    int wn = 6, wl = 5;
    for (size_t m = 0; m < M; m++) {
        if (!show[m])
            continue;
        shown++;
        int a = tw_text_width(base->metric_names[m]);
        wn = a > wn ? a : wn;
        const char *l = base->metric_labels ? base->metric_labels[m] : "";
        a = tw_text_width(l ? l : "");
        wl = a > wl ? a : wl;
    }
    if (mf)
        fprintf(f, "  %d, per metric: the difference\n", base->years[y]);
    else
        fprintf(f, "  %d, per metric: mean of the paired differences, its "
                "90%% interval, and the 90%% band of the differences\n",
                base->years[y]);
    fputs("  ", f);
    tw_text_pad(f, "metric", wn + 2);
    tw_text_pad(f, "label", wl + 2);
    fprintf(f, "%-16s %12s  %-27s %s\n", "unit", "difference",
            "90% interval of the mean", "90% band (replicates)");
    for (size_t m = 0; m < M; m++) {
        if (!show[m])
            continue;
        const tw_paired *p = &c->metric[y * M + m];
        int share = strcmp(base->metric_units[m], "share") == 0;
        int prec = share ? 4 : 2;
        char iv[64], band[64];
        if (p->same || c->n_reps == 1) {
            /* no spread to speak of: say why, not "+x to +x" */
            snprintf(iv, sizeof iv, "%s", mf ? "(exact)"
                     : c->n_reps == 1 ? "(one replicate)"
                                      : "(the same in every replicate)");
            band[0] = '\0';
        } else {
            snprintf(iv, sizeof iv, "%+.*f to %+.*f", prec, p->ci_lo, prec,
                     p->ci_hi);
            snprintf(band, sizeof band, "%+.*f to %+.*f", prec, p->p05,
                     prec, p->p95);
        }
        const char *l = base->metric_labels ? base->metric_labels[m] : "";
        fputs("  ", f);
        tw_text_pad(f, base->metric_names[m], wn + 2);
        tw_text_pad(f, l ? l : "", wl + 2);
        fprintf(f, "%-16s %+12.*f  ", base->metric_units[m], prec, p->mean);
        if (band[0] != '\0')
            fprintf(f, "%-27s %s\n", iv, band);
        else
            fprintf(f, "%s\n", iv);
    }
    if (shown < M)
        fprintf(f, "  (%zu of %zu metrics shown; --all shows every one, "
                "--metrics TEXT those whose name holds TEXT)\n", shown, M);
}

/* Write n bytes of buf to fd, again after EINTR; 0 or -1 (errno). */
static int write_all(int fd, const char *buf, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno != EINTR)
            return -1;
        if (w > 0) {
            buf += w;
            n -= (size_t)w;
        }
    }
    return 0;
}

/* Copy the file `from` to the new file `to` (O_EXCL: the caller holds the
 * writer's lock and removed nothing), checking every write. */
static int copy_file(const char *from, const char *to, tw_error *err)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return tw_error_set(err, TW_EFAIL, "cannot read %s: %s", from,
                            strerror(errno));
    unlink(to); /* a stale copy of an earlier, killed --store */
    int outfd = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (outfd < 0) {
        int e = errno;
        close(in);
        return tw_error_set(err, TW_EFAIL, "cannot create %s: %s", to,
                            strerror(e));
    }
    char buf[1 << 16];
    int rc = TW_OK;
    for (;;) {
        ssize_t r = read(in, buf, sizeof buf);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            rc = tw_error_set(err, TW_EFAIL, "cannot read %s: %s", from,
                              strerror(errno));
        else if (r > 0 && write_all(outfd, buf, (size_t)r) != 0)
            rc = tw_error_set(err, TW_EFAIL, "cannot write %s: %s", to,
                              strerror(errno));
        if (r <= 0 || rc != TW_OK)
            break;
    }
    if (close(outfd) != 0 && rc == TW_OK)
        rc = tw_error_set(err, TW_EFAIL, "cannot write %s: %s", to,
                          strerror(errno));
    close(in);
    return rc;
}

int tw_comparison_write(const char *path, const tw_comparison *c,
                        const char *base_name, const char *alt_name,
                        const char *base_file, const char *alt_file,
                        int force, char *stored, size_t cap, tw_error *err)
{
    hid_t f = H5I_INVALID_HID, top = H5I_INVALID_HID, g = H5I_INVALID_HID;
    double *v = NULL;
    int rc = TW_EFAIL;
    char name[256];
    tw_output o;
    if (tw_output_begin(&o, path, NULL, err) != TW_OK)
        return err ? err->code : TW_EFAIL;
    if (copy_file(path, o.partial, err) != TW_OK)
        goto out;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if ((f = H5Fopen(o.partial, H5F_ACC_RDWR, H5P_DEFAULT)) < 0) {
        tw_error_set(err, TW_EFAIL, "cannot open %s to store the comparison",
                     o.partial);
        goto out;
    }
    htri_t e = H5Lexists(f, "comparisons", H5P_DEFAULT);
    top = e > 0 ? H5Gopen2(f, "comparisons", H5P_DEFAULT)
                : H5Gcreate2(f, "comparisons", H5P_DEFAULT, H5P_DEFAULT,
                             H5P_DEFAULT);
    snprintf(name, sizeof name, "%s-vs-%s", alt_name, base_name);
    /* an earlier comparison of the same name stays: the new one takes
     * the first free name.2, name.3, ... unless --force replaces it */
    size_t len = strlen(name);
    for (unsigned k = 2; top >= 0 && !force &&
                         H5Lexists(top, name, H5P_DEFAULT) > 0; k++)
        snprintf(name + len, sizeof name - len, ".%u", k);
    if (top < 0 ||
        (H5Lexists(top, name, H5P_DEFAULT) > 0 &&
         H5Ldelete(top, name, H5P_DEFAULT) < 0) ||
        (g = H5Gcreate2(top, name, H5P_DEFAULT, H5P_DEFAULT,
                        H5P_DEFAULT)) < 0) {
        tw_error_set(err, TW_EFAIL, "cannot create /comparisons/%s in %s",
                     name, path);
        goto out;
    }
    size_t Y = c->n_years, M = c->n_metrics, nt = c->n_targets;
    v = malloc((Y * M > nt ? Y * M : nt + 1) * sizeof *v);
    if (v == NULL) {
        tw_error_set(err, TW_EFAIL, "out of memory");
        goto out;
    }
    hsize_t d2[2] = { Y, M }, d1[1] = { nt };
    static const char *const mf[6] = { "mean", "sd", "ci_lo", "ci_hi", "p05",
                                       "p95" };
    int bad = tw_h5u_str_attr(g, "base", base_name) != 0 ||
              tw_h5u_str_attr(g, "alt", alt_name) != 0 ||
              tw_h5u_num_attr(g, "n_replicates", (double)c->n_reps) != 0 ||
              (base_file && tw_h5u_str_attr(g, "base_file", base_file) != 0) ||
              (alt_file && tw_h5u_str_attr(g, "alt_file", alt_file) != 0);
    for (int k = 0; !bad && k < 6; k++) {
        for (size_t i = 0; i < Y * M; i++) {
            const tw_paired *p = &c->metric[i];
            v[i] = k == 0 ? p->mean : k == 1 ? p->sd : k == 2 ? p->ci_lo
                   : k == 3 ? p->ci_hi : k == 4 ? p->p05 : p->p95;
        }
        bad = tw_h5u_doubles(g, mf[k], 2, d2, v) != 0;
    }
    if (!bad && nt > 0) {
        bad = tw_h5u_text(g, "target", nt,
                          (const char *const *)c->target_names) != 0 ||
              tw_h5u_doubles(g, "p_met_base", 1, d1, c->p_base) != 0 ||
              tw_h5u_doubles(g, "p_met_alt", 1, d1, c->p_alt) != 0;
        static const char *const tf[5] = { "p_met_change", "p_met_change_lo",
                                           "p_met_change_hi", "gained",
                                           "lost" };
        for (int k = 0; !bad && k < 5; k++) {
            for (size_t i = 0; i < nt; i++)
                v[i] = k == 0 ? c->dp[i].mean : k == 1 ? c->dp[i].ci_lo
                       : k == 2 ? c->dp[i].ci_hi
                       : k == 3 ? (double)c->gained[i] : (double)c->lost[i];
            bad = tw_h5u_doubles(g, tf[k], 1, d1, v) != 0;
        }
    }
    if (bad) {
        tw_error_set(err, TW_EFAIL, "cannot write /comparisons/%s in %s",
                     name, path);
        goto out;
    }
    H5Gclose(g);
    H5Gclose(top);
    g = top = H5I_INVALID_HID;
    (void)tw_h5_label(f);   /* an aid to readers (tw_h5.h) */
    rc = tw_output_h5_close(f, o.partial, err);
    f = H5I_INVALID_HID;
    if (rc == TW_OK && stored != NULL && cap > 0)
        snprintf(stored, cap, "%s", name);
out:
    free(v);
    if (g >= 0)
        H5Gclose(g);
    if (top >= 0)
        H5Gclose(top);
    if (f >= 0)
        H5Fclose(f);
    if (tw_output_end(&o, rc == TW_OK, err) != TW_OK)
        rc = TW_EFAIL;
    return rc;
}
