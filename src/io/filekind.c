/*
 * filekind.c - the kind of a twsim file, by its own markers, and the
 * readers `info` and `check` need beyond a run's layout (tw_filekind.h).
 */
#include "tw_filekind.h"
#include "tw_mem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <hdf5.h>

#include "tw_h5util.h"

const char *const tw_file_kind_names[TW_N_FILE_KINDS] = {
    "run", "scenarios", "sweep", "optimize", "export"};

int tw_file_check_regular(const char *path, tw_error *err)
{
    struct stat st;
    if (path[0] == '\0')
        return tw_error_set(err, TW_EINPUT, "the file name is empty");
    if (stat(path, &st) != 0)
        return tw_error_set(err, TW_EFAIL, "cannot open %s: %s", path,
                            strerror(errno));
    if (S_ISREG(st.st_mode))
        return TW_OK;
    const char *what = S_ISDIR(st.st_mode)    ? "a directory"
                       : S_ISFIFO(st.st_mode) ? "a FIFO (named pipe)"
                       : S_ISSOCK(st.st_mode) ? "a socket"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)
                           ? "a device"
                           : "not a regular file";
    return tw_error_set(err, TW_EINPUT, "%s is %s, not a twsim output file",
                        path, what);
}

/* The scalar string attribute `name` of loc (variable or fixed length) as
 * a new string; NULL when absent or not a string. */
static char *str_attr(hid_t loc, const char *name)
{
    char *s = NULL;
    if (H5Aexists(loc, name) <= 0 ||
        tw_h5u_read_str_attr(loc, name, &s, NULL, 0) != 0)
        return NULL;
    return s;
}

/* The kind of the open file f, or -1 when it carries no twsim marker. */
static int kind_of(hid_t f)
{
    int kind = -1;
    char *k = str_attr(f, "twsim_kind");
    if (k != NULL) {
        for (int i = 0; i < TW_N_FILE_KINDS; i++)
            if (strcmp(k, tw_file_kind_names[i]) == 0)
                kind = i;
        free(k);
        return kind;
    }
    /* files written before twsim_kind */
    k = str_attr(f, "kind");
    int has_version = H5Aexists(f, "format_version") > 0;
    if (k != NULL) {
        if (strcmp(k, "scenarios") == 0 && has_version)
            kind = TW_FILE_SCENARIOS;
        else if (strcmp(k, "sweep") == 0 && H5Aexists(f, "lever") > 0)
            kind = TW_FILE_SWEEP;
        else if (strcmp(k, "optimize") == 0 && H5Aexists(f, "lever") > 0)
            kind = TW_FILE_OPTIMIZE;
        free(k);
    } else if (has_version && H5Aexists(f, "seed") > 0) {
        kind = TW_FILE_RUN;
    }
    return kind;
}

/* Open a twsim file read-only after the checks of tw_file_identify. */
static hid_t open_checked(const char *path, tw_file_kind *kind,
                          tw_error *err)
{
    int rc = tw_file_check_regular(path, err);
    if (rc != TW_OK)
        return H5I_INVALID_HID;
    if (access(path, R_OK) != 0) {
        tw_error_set(err, TW_EFAIL, "cannot open %s: %s", path,
                     strerror(errno));
        return H5I_INVALID_HID;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    htri_t is = H5Fis_hdf5(path);
    if (is == 0) {
        tw_error_set(err, TW_EINPUT, "%s is not a twsim output file (it is "
                     "not an HDF5 file)", path);
        return H5I_INVALID_HID;
    }
    hid_t f = is > 0 ? H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)
                     : H5I_INVALID_HID;
    if (f < 0) {
        tw_error_set(err, TW_EFAIL, "cannot open %s: a damaged HDF5 file?",
                     path);
        return H5I_INVALID_HID;
    }
    int k = kind_of(f);
    if (k < 0) {
        H5Fclose(f);
        tw_error_set(err, TW_EINPUT, "%s is not a twsim output file (an HDF5 "
                     "file without twsim's root attributes)", path);
        return H5I_INVALID_HID;
    }
    *kind = (tw_file_kind)k;
    return f;
}

int tw_file_identify(const char *path, tw_file_kind *kind, tw_error *err)
{
    tw_error_clear(err);
    hid_t f = open_checked(path, kind, err);
    if (f < 0)
        return err->code ? err->code : TW_EFAIL;
    H5Fclose(f);
    return TW_OK;
}

/* ---------------------------------------------------------------- lists */

static herr_t name_cb(hid_t g, const char *name, const H5L_info_t *info,
                      void *data)
{
    (void)g;
    (void)info;
    char ***v = ((char ****)data)[0];
    size_t *n = ((size_t **)data)[1];
    char **nv = realloc(*v, (*n + 1) * sizeof *nv);
    if (nv == NULL)
        return -1;
    *v = nv;
    if ((nv[*n] = strdup(name)) == NULL)
        return -1;
    (*n)++;
    return 0;
}

int tw_file_comparisons(const char *path, char ***names, size_t *n,
                        tw_error *err)
{
    *names = NULL;
    *n = 0;
    tw_file_kind kind;
    hid_t f = open_checked(path, &kind, err);
    if (f < 0)
        return err->code ? err->code : TW_EFAIL;
    int rc = TW_OK;
    if (H5Lexists(f, "comparisons", H5P_DEFAULT) > 0) {
        hid_t g = H5Gopen2(f, "comparisons", H5P_DEFAULT);
        void *data[2] = { names, n };
        if (g < 0 || H5Literate(g, H5_INDEX_NAME, H5_ITER_INC, NULL, name_cb,
                                data) < 0)
            rc = tw_error_set(err, TW_EFAIL, "cannot list /comparisons in %s",
                              path);
        if (g >= 0)
            H5Gclose(g);
    }
    H5Fclose(f);
    return rc;
}

/* The float64 dataset `name` of loc with `want` values; NULL otherwise. */
static double *read_doubles(hid_t loc, const char *name, size_t want)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
    hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
    double *v = NULL;
    if (np >= 0 && (size_t)np == want &&
        (v = malloc((want ? want : 1) * sizeof *v)) != NULL && want > 0 &&
        H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        free(v);
        v = NULL;
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (d >= 0)
        H5Dclose(d);
    return v;
}

/* The scalar numeric attribute `name` of loc, or dflt when it is absent
 * or unreadable. */
static double num_attr(hid_t loc, const char *name, double dflt)
{
    double v = dflt;
    if (H5Aexists(loc, name) > 0 &&
        tw_h5u_read_num_attr(loc, name, H5T_NATIVE_DOUBLE, &v, NULL, 0) != 0)
        v = dflt;
    return v;
}

void tw_lever_table_free(tw_lever_table *t)
{
    if (t == NULL)
        return;
    tw_strings_free(t->targets, t->n_targets);
    tw_strings_free(t->overrides, t->n_overrides);
    TW_FREE(t->config, t->lever, t->lever2, t->value, t->value2, t->p_met,
            t->p_lo, t->p_hi, t->mean, t->p_all, t->meets, t);
}

int tw_lever_table_read(const char *path, tw_lever_table **out,
                        tw_error *err)
{
    *out = NULL;
    tw_file_kind kind;
    hid_t f = open_checked(path, &kind, err);
    if (f < 0)
        return err->code ? err->code : TW_EFAIL;
    if (kind != TW_FILE_SWEEP && kind != TW_FILE_OPTIMIZE) {
        H5Fclose(f);
        return tw_error_set(err, TW_EINPUT, "%s is a %s file, not a sweep or "
                            "optimize file", path, tw_file_kind_names[kind]);
    }
    tw_lever_table *t = calloc(1, sizeof *t);
    int rc = TW_EFAIL;
    if (t == NULL)
        goto out;
    t->kind = kind;
    t->config = str_attr(f, "config");
    t->lever = str_attr(f, "lever");
    t->lever2 = str_attr(f, "lever2");
    t->prob = num_attr(f, "prob", 0);
    t->answer = (long)num_attr(f, "answer_index", -1);
    t->below = (long)num_attr(f, "below_index", -1);
    if (t->config == NULL || t->lever == NULL ||
        (t->lever2 == NULL && (t->lever2 = strdup("")) == NULL) ||
        tw_h5u_read_strings(f, "targets", &t->targets, &t->n_targets, NULL,
                            0) != 0 ||
        tw_h5u_read_strings(f, "overrides", &t->overrides, &t->n_overrides,
                            NULL, 0) != 0)
        goto out;
    {
        hid_t d = H5Dopen2(f, "value", H5P_DEFAULT);
        hid_t sp = d >= 0 ? H5Dget_space(d) : H5I_INVALID_HID;
        hssize_t np = sp >= 0 ? H5Sget_simple_extent_npoints(sp) : -1;
        if (sp >= 0)
            H5Sclose(sp);
        if (d >= 0)
            H5Dclose(d);
        if (np < 0)
            goto out;
        t->n = (size_t)np;
    }
    size_t n = t->n, nt = t->n_targets;
    if ((t->value = read_doubles(f, "value", n)) == NULL ||
        (t->lever2[0] && (t->value2 = read_doubles(f, "value2", n)) == NULL) ||
        (t->p_all = read_doubles(f, "p_all", n)) == NULL ||
        (t->meets = read_doubles(f, "meets", n)) == NULL)
        goto out;
    if (nt > 0 && (t->p_met = read_doubles(f, "p_met", n * nt)) == NULL)
        goto out;
    /* the interval is in every table; the mean quantity only in files
     * written since it was added (NULL in older ones) */
    if (nt > 0 && ((t->p_lo = read_doubles(f, "p_lo", n * nt)) == NULL ||
                   (t->p_hi = read_doubles(f, "p_hi", n * nt)) == NULL))
        goto out;
    if (nt > 0 && H5Lexists(f, "mean", H5P_DEFAULT) > 0 &&
        (t->mean = read_doubles(f, "mean", n * nt)) == NULL)
        goto out;
    if (t->answer >= (long)n || t->below >= (long)n)
        goto out;
    rc = TW_OK;
out:
    H5Fclose(f);
    if (rc != TW_OK) {
        tw_lever_table_free(t);
        return tw_error_set(err, rc, "cannot read the %s table of %s (a "
                            "damaged file?)", tw_file_kind_names[kind], path);
    }
    *out = t;
    return TW_OK;
}

/* ------------------------------------------------ targets of a .partial */

int tw_file_targets_from_config(const char *path, const char *group,
                                tw_target **t, size_t *n, tw_error *err)
{
    *t = NULL;
    *n = 0;
    tw_file_kind kind;
    hid_t f = open_checked(path, &kind, err);
    if (f < 0)
        return err->code ? err->code : TW_EFAIL;
    char where[300];
    snprintf(where, sizeof where, "%s%s/config/effective", group ? "/" : "",
             group ? group : "");
    char **eff = NULL;
    size_t neff = 0;
    int bad = H5Lexists(f, group ? group : "config", H5P_DEFAULT) <= 0 ||
              tw_h5u_read_strings(f, where, &eff, &neff, NULL, 0) != 0 ||
              neff != 1;
    H5Fclose(f);
    if (bad) {
        for (size_t i = 0; i < neff; i++)
            free(eff[i]);
        free(eff);
        return tw_error_set(err, TW_EFAIL, "cannot read %s from %s", where,
                            path);
    }
    /* the stored config goes through the loader again, from a file */
    const char *dir = getenv("TMPDIR");
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/twsim-config-XXXXXX",
             dir && dir[0] ? dir : "/tmp");
    int fd = mkstemp(tmp);
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    size_t len = strlen(eff[0]);
    int wrote = fp != NULL && fwrite(eff[0], 1, len, fp) == len;
    if (fp != NULL)
        wrote = fclose(fp) == 0 && wrote;
    else if (fd >= 0)
        close(fd);
    free(eff[0]);
    free(eff);
    if (!wrote) {
        if (fd >= 0)
            unlink(tmp);
        return tw_error_set(err, TW_EFAIL, "cannot write a temporary copy "
                            "of the config of %s in %s", path,
                            dir && dir[0] ? dir : "/tmp");
    }
    tw_config *cfg = NULL;
    tw_error cerr;
    tw_error_clear(&cerr);
    int rc = tw_config_load(tmp, NULL, 0, &cfg, &cerr);
    unlink(tmp);
    if (rc != TW_OK)
        return tw_error_set(err, rc, "the config stored in %s%s%s does not "
                            "load: %s", path, group ? ", " : "",
                            group ? group : "", cerr.msg);
    tw_target *v = calloc(cfg->n_targets ? cfg->n_targets : 1, sizeof *v);
    for (size_t i = 0; v != NULL && i < cfg->n_targets; i++) {
        v[i] = cfg->targets[i];
        v[i].name = strdup(cfg->targets[i].name);
        v[i].metric = strdup(cfg->targets[i].metric);
        v[i].quote = strdup(cfg->targets[i].quote ? cfg->targets[i].quote : "");
        v[i].source = strdup(cfg->targets[i].source ? cfg->targets[i].source
                                                    : "");
        v[i].note = strdup(cfg->targets[i].note ? cfg->targets[i].note : "");
        v[i].county = cfg->targets[i].county ? strdup(cfg->targets[i].county)
                                             : NULL;
        snprintf(v[i].where, sizeof v[i].where, "%.80s:%.70s", path, where);
    }
    size_t nt = cfg->n_targets;
    tw_config_free(cfg);
    if (v == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory");
    *t = v;
    *n = nt;
    return TW_OK;
}
