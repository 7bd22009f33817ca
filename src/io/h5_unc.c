/*
 * h5_unc.c - /uncertainty (the uncertain settings and each replicate's
 * values) and /sensitivity (what each target's verdict rests on) of a run
 * file (docs/hdf5.md).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "tw_h5.h"
#include "tw_h5util.h"
#include "tw_mem.h"

/* A float64 dataset with its description and units; 0 or -1. */
static int put(hid_t g, const char *name, int rank, const hsize_t *dims,
               const double *v, const char *desc, const char *units)
{
    hid_t d = tw_h5u_dataset(g, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                             rank, dims, v, TW_H5U_UNTIMED);
    int rc = d >= 0 && tw_h5u_describe(d, desc, units) == 0 ? 0 : -1;
    tw_h5u_close(&d);
    return rc;
}

static int text(hid_t g, const char *name, size_t n, const char *const *v,
                const char *desc)
{
    hid_t d = tw_h5u_strings(g, name, 0, n, v, TW_H5U_UNTIMED);
    int rc = d >= 0 && tw_h5u_describe(d, desc, NULL) == 0 ? 0 : -1;
    tw_h5u_close(&d);
    return rc;
}

static void drop(hid_t file, const char *name)
{
    if (H5Lexists(file, name, H5P_DEFAULT) > 0)
        H5Ldelete(file, name, H5P_DEFAULT);
}

int tw_h5_write_unc(tw_h5_out *h, const tw_h5_unc *u, tw_error *err)
{
    hid_t file = (hid_t)tw_h5_out_file(h);
    hid_t g = H5I_INVALID_HID, s = H5I_INVALID_HID;
    size_t ns = u->n_set, nt = u->nt, nr = u->n_reps;
    double *v = malloc((nr * ns > 0 ? nr * ns : 1) * sizeof *v);
    double *pt = malloc((nr ? nr : 1) * sizeof *pt);
    int ok = v != NULL && pt != NULL;
    for (size_t r = 0; ok && r < nr; r++) {
        size_t j = r / u->per_point;
        pt[r] = (double)j;
        memcpy(v + r * ns, u->values + j * ns, ns * sizeof *v);
    }
    hsize_t d1[1] = {ns}, d3[2] = {ns, 3}, dv[2] = {nr, ns}, dr[1] = {nr},
            dt[1] = {nt}, dts[2] = {nt, ns};
    drop(file, "uncertainty");
    drop(file, "sensitivity");
    uint64_t n64 = ns, np64 = u->n_points, pp64 = u->per_point;
    ok = ok && (g = tw_h5u_group(file, "uncertainty", TW_H5U_UNTIMED)) >= 0 &&
         tw_h5u_str_attr(g, "description", "Uncertain settings: each "
                         "replicate runs at parameter point "
                         "replicate / per_point of a design over their "
                         "ranges (docs/config.md, Uncertain settings)") == 0 &&
         tw_h5u_str_attr(g, "design", u->design) == 0 &&
         tw_h5u_attr(g, "n_settings", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                     &n64) == 0 &&
         tw_h5u_attr(g, "n_points", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                     &np64) == 0 &&
         tw_h5u_attr(g, "per_point", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                     &pp64) == 0 &&
         tw_h5u_str_attr(g, "applied", u->slow_key
                         ? "each point's config loaded whole" :
                         "each point's values patched into the plain "
                         "config's parameters") == 0 &&
         text(g, "setting", ns, u->keys, "the uncertain setting's lever "
              "path") == 0 &&
         text(g, "distribution", ns, u->dists, "uniform [lo, hi], "
              "triangular [lo, mode, hi], normal [mean, sd] (truncated to "
              "the key's range), beta [mean, sd]") == 0 &&
         put(g, "parameters", 2, d3, u->params, "the distribution's "
             "numbers as written; NaN where it has fewer", "as the key") == 0 &&
         put(g, "central", 1, d1, u->central, "the central value (midpoint, "
             "mode or mean): the value of the central run", "as the key") == 0 &&
         put(g, "lo", 1, d1, u->lo, "lowest value drawn", "as the key") == 0 &&
         put(g, "hi", 1, d1, u->hi, "highest value drawn", "as the key") == 0 &&
         text(g, "why", ns, u->whys, "the source of the range or the "
              "reasoning behind it") == 0 &&
         text(g, "where", ns, u->wheres, "file:line of the setting") == 0 &&
         put(g, "value", 2, dv, v, "each replicate's value of each setting "
             "[replicate][setting]", "as the key") == 0 &&
         put(g, "point", 1, dr, pt, "each replicate's parameter point",
             "1") == 0;
    if (ok && nt > 0) {
        uint64_t cr = u->central_reps;
        ok = (s = tw_h5u_group(file, "sensitivity", TW_H5U_UNTIMED)) >= 0 &&
             tw_h5u_str_attr(s, "description", "What each target's verdict "
                             "rests on (docs/sensitivity.md)") == 0 &&
             tw_h5u_attr(s, "central_replicates", H5T_STD_U64LE,
                         H5T_NATIVE_UINT64, &cr) == 0 &&
             text(s, "target", nt, u->targets, "the target's name") == 0 &&
             text(s, "setting", ns, u->keys, "the uncertain setting") == 0 &&
             put(s, "p_met", 1, dt, u->p_met, "P(met) over the settings' "
                 "ranges and the model's randomness together", "1") == 0 &&
             put(s, "p_met_lo", 1, dt, u->p_lo, "its 90% Wilson interval, "
                 "low end", "1") == 0 &&
             put(s, "p_met_hi", 1, dt, u->p_hi, "its 90% Wilson interval, "
                 "high end", "1") == 0 &&
             (u->c_met == NULL ||
              (put(s, "p_central", 1, dt, u->c_met, "P(met) with every "
                   "uncertain setting at its central value", "1") == 0 &&
               put(s, "p_central_lo", 1, dt, u->c_lo, "its 90% Wilson "
                   "interval, low end", "1") == 0 &&
               put(s, "p_central_hi", 1, dt, u->c_hi, "its 90% Wilson "
                   "interval, high end", "1") == 0)) &&
             put(s, "p_cond_p10", 1, dt, u->p10, "10th percentile over the "
                 "parameter points of P(met | point), shrunk for the "
                 "binomial noise of per_point replicates", "1") == 0 &&
             put(s, "p_cond_p50", 1, dt, u->p50, "median over the points of "
                 "P(met | point)", "1") == 0 &&
             put(s, "p_cond_p90", 1, dt, u->p90, "90th percentile over the "
                 "points of P(met | point)", "1") == 0 &&
             put(s, "var_quantity", 1, dt, u->var_y, "variance of the "
                 "target's quantity over all replicates",
                 "(unit of the quantity)^2") == 0 &&
             put(s, "random_share", 1, dt, u->random_share, "share of that "
                 "variance from the model's randomness within a point",
                 "1") == 0 &&
             put(s, "first_order", 2, dts, u->first, "first-order "
                 "(main-effect) share of the quantity's variance explained "
                 "by each setting [target][setting]", "1") == 0 &&
             put(s, "first_order_se", 2, dts, u->first_se, "its bootstrap "
                 "standard error", "1") == 0 &&
             text(s, "depends", nt, u->depends, "\"\", or the settings "
                  "within whose ranges the verdict flips") == 0;
    }
    tw_h5u_close(&g);
    tw_h5u_close(&s);
    free(v);
    free(pt);
    if (!ok)
        return tw_error_set(err, TW_EFAIL, "cannot write /uncertainty and "
                            "/sensitivity");
    return H5Fflush(file, H5F_SCOPE_LOCAL) < 0
               ? tw_error_set(err, TW_EFAIL, "cannot flush the file")
               : TW_OK;
}

/* ------------------------------------------------------------------ */

void tw_h5_sens_free(tw_h5_sens *s)
{
    if (s == NULL)
        return;
    tw_strings_free(s->keys, s->n_set);
    tw_strings_free(s->targets, s->nt);
    tw_strings_free(s->depends, s->nt);
    TW_FREE(s->design, s->slow_key, s->central, s->lo, s->hi, s->p_met,
            s->p_lo, s->p_hi, s->c_met, s->c_lo, s->c_hi, s->p10, s->p50,
            s->p90, s->var_y, s->random_share, s->first, s->first_se);
    memset(s, 0, sizeof *s);
}

static double *vec(hid_t g, const char *name, size_t n, int *ok)
{
    char why[256];
    hsize_t d[1] = {n};
    if (!*ok || H5Lexists(g, name, H5P_DEFAULT) <= 0)
        return NULL;
    double *v = tw_h5u_read_array(g, name, H5T_NATIVE_DOUBLE, 1, d, why,
                                  sizeof why);
    if (v == NULL)
        *ok = 0;
    return v;
}

int tw_h5_read_sens(const char *path, const char *group, tw_h5_sens *out,
                    tw_error *err)
{
    memset(out, 0, sizeof *out);
    char why[256] = "";
    char gu[512], gs[512];
    snprintf(gu, sizeof gu, "%s%suncertainty", group ? group : "",
             group ? "/" : "");
    snprintf(gs, sizeof gs, "%s%ssensitivity", group ? group : "",
             group ? "/" : "");
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0)
        return tw_error_set(err, TW_EINPUT, "%s: cannot open", path);
    hid_t u = H5I_INVALID_HID, s = H5I_INVALID_HID;
    int ok = 1;
    if (H5Lexists(f, gu, H5P_DEFAULT) <= 0 ||
        H5Lexists(f, gs, H5P_DEFAULT) <= 0) {
        tw_h5u_close(&f);
        return TW_OK;
    }
    size_t n;
    uint64_t x = 0;
    ok = (u = H5Gopen2(f, gu, H5P_DEFAULT)) >= 0 &&
         (s = H5Gopen2(f, gs, H5P_DEFAULT)) >= 0 &&
         tw_h5u_read_strings(u, "setting", &out->keys, &out->n_set, why,
                             sizeof why) == 0 &&
         tw_h5u_read_strings(s, "target", &out->targets, &out->nt, why,
                             sizeof why) == 0 &&
         tw_h5u_read_strings(s, "depends", &out->depends, &n, why,
                             sizeof why) == 0 && n == out->nt &&
         tw_h5u_read_str_attr(u, "design", &out->design, why,
                              sizeof why) == 0;
    if (ok && tw_h5u_read_num_attr(u, "n_points", H5T_NATIVE_UINT64, &x,
                                   why, sizeof why) == 0)
        out->n_points = (size_t)x;
    if (ok && tw_h5u_read_num_attr(u, "per_point", H5T_NATIVE_UINT64, &x,
                                   why, sizeof why) == 0)
        out->per_point = (size_t)x;
    if (ok && tw_h5u_read_num_attr(s, "central_replicates",
                                   H5T_NATIVE_UINT64, &x, why,
                                   sizeof why) == 0)
        out->central_reps = (size_t)x;
    if (ok) {
        char *applied = NULL;
        if (tw_h5u_read_str_attr(u, "applied", &applied, why,
                                 sizeof why) == 0 &&
            strstr(applied, "whole") != NULL)
            out->slow_key = strdup("yes");
        free(applied);
    }
    size_t ns = out->n_set, nt = out->nt;
    out->central = vec(u, "central", ns, &ok);
    out->lo = vec(u, "lo", ns, &ok);
    out->hi = vec(u, "hi", ns, &ok);
    out->p_met = vec(s, "p_met", nt, &ok);
    out->p_lo = vec(s, "p_met_lo", nt, &ok);
    out->p_hi = vec(s, "p_met_hi", nt, &ok);
    out->c_met = vec(s, "p_central", nt, &ok);
    out->c_lo = vec(s, "p_central_lo", nt, &ok);
    out->c_hi = vec(s, "p_central_hi", nt, &ok);
    out->p10 = vec(s, "p_cond_p10", nt, &ok);
    out->p50 = vec(s, "p_cond_p50", nt, &ok);
    out->p90 = vec(s, "p_cond_p90", nt, &ok);
    out->var_y = vec(s, "var_quantity", nt, &ok);
    out->random_share = vec(s, "random_share", nt, &ok);
    hsize_t d2[2] = {nt, ns};
    if (ok && (out->first = tw_h5u_read_array(s, "first_order",
                                              H5T_NATIVE_DOUBLE, 2, d2, why,
                                              sizeof why)) == NULL)
        ok = 0;
    if (ok && (out->first_se = tw_h5u_read_array(s, "first_order_se",
                                                 H5T_NATIVE_DOUBLE, 2, d2,
                                                 why, sizeof why)) == NULL)
        ok = 0;
    ok = ok && out->p_met && out->p10 && out->central;
    tw_h5u_close(&u);
    tw_h5u_close(&s);
    tw_h5u_close(&f);
    if (!ok) {
        tw_h5_sens_free(out);
        return tw_error_set(err, TW_EINPUT, "%s: cannot read /sensitivity%s%s",
                            path, why[0] ? ": " : "", why);
    }
    return TW_OK;
}
