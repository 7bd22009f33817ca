/*
 * h5.c - the HDF5 output file (see tw_h5.h for the contract).
 *
 * Layout (format_version 1):
 *   /trajectories        float64 [R, Y, M], chunk [1, Y, M], shuffle+deflate 4,
 *                        fill NaN; attr dims = "replicate,year,metric"
 *   /replicates/done     uint8 [R], 1 once replicate r is in /trajectories
 *   /years               int32 [Y]
 *   /metrics/{name,unit,description,label}   vlen UTF-8 [M]
 *   /tiers/names         vlen UTF-8 [T] (absent when T == 0)
 *   /summary/{mean,sd,p05,p50,p95}           float64 [Y, M] (absent until
 *                        tw_h5_write_summary)
 *   /config/text, /config/effective          scalar vlen UTF-8
 *   /config/by_year      scalar vlen UTF-8, when the config has one
 *   /config/overrides    vlen UTF-8 [n] (n may be 0)
 *   root attrs           format_version, engine_version, git_commit, seed,
 *                        mode, config_path, n_replicates
 *   /provenance attrs    created, host (the only run-to-run variable parts;
 *                        object time stamps are switched off)
 *
 * Style: every hid_t starts as H5I_INVALID_HID, every HDF5 call is checked
 * and jumps to the function's single `out:` label, which closes whatever
 * is open (TW_H5U_CLOSE). A dataset, attribute or group is made, written
 * and closed, or read back, by one tw_h5u_* call (h5util.c); the put_* /
 * get_* wrappers here only keep the HDF5 detail of a failure for the
 * message. HDF5's automatic error printing is off; a failure is reported
 * as "cannot <step> <file>: <innermost HDF5 error>".
 *
 * The default (earliest) file format is kept on purpose: its superblock
 * has no "file is open for writing" flag, so a file flushed after each
 * replicate is readable even when the writer was killed.
 */
#include "tw_h5.h"
#include "tw_mem.h"
#include "tw_filekind.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <hdf5.h>
#include <hdf5_hl.h>

#include "tw_h5util.h"
#include "tw_output.h"

/*
 * The parts of a replicate's row (tw_model.h), each its own dataset of
 * shape [replicate, year, (group,) value]: the region's metrics, every
 * county's, every school's shortfall. A part absent from a run (no
 * counties, no --schools) has no dataset.
 */
enum { PART_REGION, PART_COUNTY, PART_SCHOOL, N_PARTS };

static const char *const part_path[N_PARTS] = {
    "/trajectories", "/by_county/trajectories", "/schools/trajectories" };

/* The shape of a run's rows. */
typedef struct row_shape {
    size_t n_reps, n_years, n_metrics, n_counties, n_schools;
    size_t width;             /* values per year: every part's */
} row_shape;

static row_shape shape_of(const tw_h5_meta *m)
{
    row_shape r = { m->n_replicates, m->n_years, m->metrics->n,
                    m->n_counties, m->n_schools, 0 };
    r.width = r.n_metrics * (1 + r.n_counties) + 2 * r.n_schools;
    return r;
}

/* Part p of rows of shape r: its rank, dims, and its columns in a year's
 * row, [*col0, *col0 + *cols). Returns 0 when the run has no such part. */
static int part_dims(const row_shape *r, int p, int *rank, hsize_t *dims,
                     size_t *col0, size_t *cols)
{
    size_t groups = p == PART_COUNTY ? r->n_counties
                    : p == PART_SCHOOL ? r->n_schools : 1;
    size_t per = p == PART_SCHOOL ? 2 : r->n_metrics;
    *col0 = p == PART_REGION ? 0
            : p == PART_COUNTY ? r->n_metrics
                               : r->n_metrics * (1 + r->n_counties);
    *cols = groups * per;
    dims[0] = r->n_reps;
    dims[1] = r->n_years;
    if (p == PART_REGION) {
        *rank = 3;
        dims[2] = per;
    } else {
        *rank = 4;
        dims[2] = groups;
        dims[3] = per;
    }
    return groups > 0;
}

struct tw_h5_out {
    hid_t file, done;         /* open from create until finish/abort */
    hid_t part[N_PARTS];      /* the parts' datasets (traj = the region's) */
    int created;              /* the partial file exists and is ours */
    int tmp_ours;             /* the file `tmp` was made by this handle */
    int sealed;               /* file/traj/done are the final file's */
    char *path, *partial;     /* owned; partial = path + ".partial" */
    char *tmp;                /* owned; path + ".partial.tmp" */
    const tw_h5_meta *meta;   /* borrowed, for the final file */
    size_t n_reps, n_years, n_metrics;
    row_shape shape;
    unsigned char *written;   /* [n_reps], mirrors /replicates/done */
    int have_summary;
};

/*
 * The step in progress of one public call, for its error message:
 * "cannot <what> <file>[: <detail>]". Helpers never set `what` (the caller
 * names the step before calling them); a failing helper captures the
 * HDF5 detail before its cleanup calls clear the error stack. `reported`
 * means the message is already in the tw_error (a non-HDF5 problem).
 */
typedef struct h5ctx {
    const char *file;
    char what[192];
    char detail[320];
    int reported;
} h5ctx;

static void ctx_step(h5ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int ctx_fail(h5ctx *c, tw_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void ctx_step(h5ctx *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->what, sizeof c->what, fmt, ap);
    va_end(ap);
}

/* Report a non-HDF5 failure now; the out: label will not overwrite it. */
static int ctx_fail(h5ctx *c, tw_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char msg[TW_ERROR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    c->reported = 1;
    return tw_error_set(err, TW_EFAIL, "%s", msg);
}

/* H5Ewalk2 callback: keep the innermost (n == 0) error description. A
 * low-level file driver message is cut down to its strerror part. */
static herr_t walk_innermost(unsigned n, const H5E_error2_t *e, void *data)
{
    char *buf = data;
    const size_t cap = sizeof((h5ctx *)0)->detail;
    if (n != 0 || e->desc == NULL)
        return 0;
    const char *p = strstr(e->desc, "error message = '");
    if (p != NULL) {
        p += strlen("error message = '");
        const char *q = strchr(p, '\'');
        int len = q ? (int)(q - p) : (int)strlen(p);
        snprintf(buf, cap, "%.*s", len, p);
    } else {
        snprintf(buf, cap, "%s", e->desc);
    }
    return 0;
}

/* At a failing out: label, before any cleanup call: keep the first
 * (innermost) HDF5 error seen by this public call. */
static void ctx_grab(h5ctx *c)
{
    if (c->detail[0] == '\0')
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_innermost, c->detail);
}

static int ctx_report(const h5ctx *c, tw_error *err)
{
    if (c->reported)
        return TW_EFAIL;
    return tw_error_set(err, TW_EFAIL, "cannot %s %s%s%s", c->what, c->file,
                        c->detail[0] ? ": " : "", c->detail);
}

/* Flush the whole file: TW_OK or TW_EFAIL (the step named in c). */
static int flush(h5ctx *c, hid_t file)
{
    ctx_step(c, "flush");
    return H5Fflush(file, H5F_SCOPE_GLOBAL) < 0 ? TW_EFAIL : TW_OK;
}

/* At the out: label of a public call: report a failure (rc != TW_OK) in
 * err, unless it is reported already. Returns rc. */
static int ctx_done(h5ctx *c, int rc, tw_error *err)
{
    if (rc != TW_OK) {
        ctx_grab(c);
        ctx_report(c, err);
    }
    return rc;
}

/* Reading helpers (defined with the reader below), also used to resume. */
static int get_num_attr(h5ctx *c, hid_t loc, const char *name, hid_t mt,
                        void *out);
static int get_strings(h5ctx *c, hid_t loc, const char *name, char ***out,
                       size_t *n);
static void *get_array(h5ctx *c, hid_t loc, const char *name, hid_t mt,
                       int rank, hsize_t *dims);

/* ---------------------------------------------------------------- writing */

/* rc of a helper; a failure keeps its HDF5 detail in c first. */
static int grabbed(h5ctx *c, int rc)
{
    if (rc != 0)
        ctx_grab(c);
    return rc;
}

/* Close the dataset d that a writer returned (and that is then described
 * by desc and units, either NULL); 0 or -1 (detail in c). */
static int put_done(h5ctx *c, hid_t d, const char *desc, const char *units)
{
    int rc = d < 0 || tw_h5u_describe(d, desc, units) != 0 ? -1 : 0;
    grabbed(c, rc);
    tw_h5u_close(&d);
    return rc;
}

/* Create group `name` under loc, untimed; the caller closes it. */
static hid_t make_group(h5ctx *c, hid_t loc, const char *name)
{
    hid_t g = tw_h5u_group(loc, name, TW_H5U_UNTIMED);
    grabbed(c, g < 0 ? -1 : 0);
    return g;
}

/* Attribute `name` on loc, a scalar of file type ftype from *value. */
static int put_scalar_attr(h5ctx *c, hid_t loc, const char *name,
                           hid_t ftype, hid_t mtype, const void *value)
{
    return grabbed(c, tw_h5u_attr(loc, name, ftype, mtype, value));
}

/* Attribute `name` on loc: a vlen UTF-8 string (NULL is written as ""). */
static int put_str_attr(h5ctx *c, hid_t loc, const char *name,
                        const char *value)
{
    return grabbed(c, tw_h5u_str_attr(loc, name, value));
}

/*
 * Dataset `name` under loc of vlen UTF-8 strings: scalar when `scalar`
 * (v[0] is written), else 1-D [n] (n may be 0: an empty array, which
 * h5py reads as shape (0,)). NULL strings are written as "". Optional
 * `desc` becomes a "description" attribute.
 */
static int put_strings(h5ctx *c, hid_t loc, const char *name, int scalar,
                       size_t n, const char *const *v, const char *desc)
{
    return put_done(c, tw_h5u_strings(loc, name, scalar, n, v,
                                      TW_H5U_UNTIMED), desc, NULL);
}

/* Contiguous numeric dataset `name` [dims] of file type ftype, written
 * from `data` (memory type mtype), with optional description and units. */
static int put_array(h5ctx *c, hid_t loc, const char *name, hid_t ftype,
                     hid_t mtype, int rank, const hsize_t *dims,
                     const void *data, const char *desc, const char *units)
{
    return put_done(c, tw_h5u_dataset(loc, name, ftype, mtype, rank, dims,
                                      data, TW_H5U_UNTIMED), desc, units);
}

/*
 * Dimension scales, so that netCDF-4 readers (xarray with h5netcdf) see
 * named dimensions: /replicate (int32 0..R-1), /year (int32 years),
 * /metric (the metric names) and /targets/target (the target names).
 */
static int make_scale(h5ctx *c, hid_t loc, const char *name, const char *dim)
{
    hid_t d = H5Dopen2(loc, name, H5P_DEFAULT);
    int rc = d < 0 || H5DSset_scale(d, dim) < 0 ? -1 : 0;
    grabbed(c, rc);
    tw_h5u_close(&d);
    return rc;
}

/* Attach the scales at the paths in scales[0..rank) to dataset `name`. */
static int attach_scales(h5ctx *c, hid_t loc, const char *name, int rank,
                         hid_t file, const char *const *scales)
{
    hid_t d = H5I_INVALID_HID, sc = H5I_INVALID_HID;
    int rc = -1;
    if ((d = H5Dopen2(loc, name, H5P_DEFAULT)) < 0)
        goto out;
    for (int i = 0; i < rank; i++) {
        if ((sc = H5Dopen2(file, scales[i], H5P_DEFAULT)) < 0 ||
            H5DSattach_scale(d, sc, (unsigned)i) < 0)
            goto out;
        tw_h5u_close(&sc);
    }
    rc = 0;
out:
    grabbed(c, rc);
    TW_H5U_CLOSE(&sc, &d);
    return rc;
}
/* Fills an open group g from arg; 0 or -1 (detail in c). */
typedef int (*group_fill)(h5ctx *c, hid_t g, const void *arg);

/* Group `name` under loc, filled by fill(c, g, arg), then closed. */
static int put_group(h5ctx *c, hid_t loc, const char *name, group_fill fill,
                     const void *arg)
{
    hid_t g = make_group(c, loc, name);
    int rc = g < 0 || fill(c, g, arg) != 0 ? -1 : 0;
    tw_h5u_close(&g);
    return rc;
}

/* /metrics/<field> for the four text fields of the metric table. */
static int fill_metrics(h5ctx *c, hid_t g, const void *arg)
{
    const tw_metric_table *mt = arg;
    static const char *const field[4] = { "name", "unit", "description",
                                          "label" };
    static const char *const desc[4] = {
        "stable dotted metric name; column m of /trajectories is metric m",
        "unit of the metric's values",
        "one-line description of the metric",
        "label from the config (e.g. the tier name), \"\" if none",
    };
    const char **v = calloc(mt->n ? mt->n : 1, sizeof *v);
    int rc = 0;
    if (v == NULL) {
        snprintf(c->detail, sizeof c->detail, "out of memory");
        return -1;
    }
    for (int f = 0; rc == 0 && f < 4; f++) {
        for (size_t i = 0; i < mt->n; i++) {
            const tw_metric *m = &mt->v[i];
            v[i] = f == 0 ? m->name : f == 1 ? m->unit
                 : f == 2 ? m->description : m->label;
        }
        rc = put_strings(c, g, field[f], 0, mt->n, v, desc[f]);
    }
    free(v);
    return rc;
}

/* /config/{text,effective,overrides}. */
static int fill_config(h5ctx *c, hid_t g, const void *arg)
{
    const tw_h5_meta *m = arg;
    if (put_strings(c, g, "text", 1, 1, &m->config_text,
                    "the main config file, verbatim") != 0 ||
        put_strings(c, g, "effective", 1, 1, &m->config_effective,
                    "the config after @include and --set, as libconfig "
                    "writes it") != 0 ||
        put_strings(c, g, "overrides", 0, m->n_overrides, m->overrides,
                    "the --set arguments, verbatim, in order") != 0)
        return -1;
    if (m->config_by_year != NULL &&
        put_strings(c, g, "by_year", 1, 1, &m->config_by_year,
                    "the value used in each year of each key set from the "
                    "command line or changed by the timeline: a "
                    "tab-separated table, key, county, one column a "
                    "year") != 0)
        return -1;
    return 0;
}

/* /replicates/done from the handle's flags. */
static int fill_done(h5ctx *c, hid_t g, const void *arg)
{
    const tw_h5_out *h = arg;
    hsize_t dims[1] = { h->n_reps };
    return put_array(c, g, "done", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1, dims,
                     h->written, "1 once the replicate's trajectory is in "
                     "/trajectories, else 0", NULL);
}

/* /tiers/names. */
static int fill_tiers(h5ctx *c, hid_t g, const void *arg)
{
    const tw_h5_meta *m = arg;
    return put_strings(c, g, "names", 0, m->n_tiers, m->tier_names,
                       "tier names from the config, in tier order");
}

/* A slice's root attributes (tw_h5_meta.slice_of); none for a whole
 * run, whose file they would make differ from a merged one. */
static int put_slice_attrs(h5ctx *c, hid_t file, const tw_h5_meta *m)
{
    if (m->slice_of == 0)
        return 0;
    uint64_t v[3] = { m->slice_first, m->n_replicates, m->slice_of };
    static const char *const name[3] = { "slice_first", "slice_count",
                                         "slice_of" };
    for (int i = 0; i < 3; i++)
        if (put_scalar_attr(c, file, name[i], H5T_STD_U64LE,
                            H5T_NATIVE_UINT64, &v[i]) != 0)
            return -1;
    return 0;
}

/* The root attributes, which identify the file as twsim output. */
static int put_root_attrs(h5ctx *c, hid_t file, const tw_h5_meta *m)
{
    int version = TW_H5_FORMAT_VERSION;
    uint64_t nrep = m->n_replicates;
    if (put_scalar_attr(c, file, "format_version", H5T_STD_I32LE,
                        H5T_NATIVE_INT, &version) != 0 ||
        put_str_attr(c, file, "engine_version", m->engine_version) != 0 ||
        put_str_attr(c, file, "git_commit", m->git_commit) != 0 ||
        put_scalar_attr(c, file, "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                        &m->seed) != 0 ||
        put_str_attr(c, file, "mode", m->mode) != 0 ||
        put_str_attr(c, file, "config_path", m->config_path) != 0 ||
        put_str_attr(c, file, "region_name",
                     m->region_name ? m->region_name : "") != 0 ||
        put_scalar_attr(c, file, "n_replicates", H5T_STD_U64LE,
                        H5T_NATIVE_UINT64, &nrep) != 0 ||
        put_str_attr(c, file, "twsim_kind", "run") != 0)
        return -1;
    return put_slice_attrs(c, file, m);
}

/* /provenance: creation time (ISO-8601 UTC) and host name. */
static int fill_provenance(h5ctx *c, hid_t g, const void *arg)
{
    (void)arg;
    char created[32] = "unknown", host[256] = "unknown";
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL)
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "unknown");
    host[sizeof host - 1] = '\0';
    if (put_str_attr(c, g, "created", created) != 0 ||
        put_str_attr(c, g, "host", host) != 0 ||
        put_str_attr(c, g, "description",
                     "varies from run to run; excluded when comparing "
                     "outputs") != 0)
        return -1;
    return 0;
}

/*
 * First call of every public function that uses HDF5: no automatic error
 * printing (we report), and no atexit handler. HDF5 1.10 (Debian 12)
 * crashes at exit, in that handler, after a file failed to close (a full
 * disk: the close flushes and fails, and the freed file stays in HDF5's ID
 * table; HDFGroup/hdf5 #2291, fixed in 1.14.1); every file is closed
 * explicitly, so the handler has nothing to do. H5dont_atexit() fails
 * harmlessly once HDF5 is initialised.
 */
static herr_t h5_setup(void)
{
    (void)H5dont_atexit();
    return H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

/*
 * The writer's file access properties: a small metadata cache. The index
 * of /trajectories is a version 1 B-tree with one entry per chunk, i.e.
 * per replicate, and HDF5 keeps each entry's key in memory with room for
 * 33 dimensions: ~300 bytes a replicate (massif), while the cache counts
 * a node by its size on disk (~3 KB for 64 entries). With the default
 * cache (2 MiB at first, adaptive up to 32 MiB) nothing is evicted before
 * ~40,000 replicates, and a run's memory grew by ~390 bytes a replicate
 * (measured from 6,000 to 24,000). 256 KiB holds ~80 nodes, ~1.5 MB of
 * memory. A writer touches only the path to the chunk it adds, and a
 * read-back pass walks the leaves once in order, so the small cache
 * costs no measurable time; it never changes what is written.
 */
#define WRITER_MDC_MAX ((size_t)256 << 10)

static hid_t writer_fapl(void)
{
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    H5AC_cache_config_t mdc;
    mdc.version = H5AC__CURR_CACHE_CONFIG_VERSION;
    if (fapl < 0 || H5Pget_mdc_config(fapl, &mdc) < 0)
        goto fail;
    if (mdc.max_size > WRITER_MDC_MAX) {
        mdc.max_size = WRITER_MDC_MAX;
        if (mdc.min_size > mdc.max_size)
            mdc.min_size = mdc.max_size;
        if (mdc.initial_size > mdc.max_size) {
            mdc.initial_size = mdc.max_size;
            mdc.set_initial_size = 1;
        }
        if (H5Pset_mdc_config(fapl, &mdc) < 0)
            goto fail;
    }
    return fapl;
fail:
    tw_h5u_close(&fapl);
    return H5I_INVALID_HID;
}

/* Close the handle's HDF5 objects (ignoring errors) and free it. */
static void handle_free(tw_h5_out *h)
{
    TW_H5U_CLOSE(&h->done, &h->part[PART_REGION], &h->part[PART_COUNTY],
                 &h->part[PART_SCHOOL], &h->file);
    free(h->path);
    free(h->partial);
    free(h->tmp);
    free(h->written);
    free(h);
}

/* A writer handle for `path` and "<path>.partial", sized by meta, with no
 * file open yet; NULL when memory runs out. */
static tw_h5_out *handle_new(const char *path, const tw_h5_meta *meta)
{
    tw_h5_out *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->file = h->done = H5I_INVALID_HID;
    for (int p = 0; p < N_PARTS; p++)
        h->part[p] = H5I_INVALID_HID;
    h->shape = shape_of(meta);
    h->n_reps = meta->n_replicates;
    h->n_years = meta->n_years;
    h->n_metrics = meta->metrics->n;
    h->meta = meta;
    size_t plen = strlen(path) + sizeof ".partial";
    size_t tlen = strlen(path) + sizeof ".partial.tmp";
    if ((h->path = strdup(path)) == NULL ||
        (h->partial = malloc(plen)) == NULL ||
        (h->tmp = malloc(tlen)) == NULL ||
        (h->written = calloc(h->n_reps, 1)) == NULL) {
        handle_free(h);
        return NULL;
    }
    snprintf(h->partial, plen, "%s.partial", path);
    snprintf(h->tmp, tlen, "%s.partial.tmp", path);
    return h;
}


static const char *const part_desc[N_PARTS] = {
    "value of metric m in year y of replicate r; NaN where the replicate "
    "is not written (/replicates/done); units in /metrics/unit",
    "value of metric m for county c in year y of replicate r (the same "
    "metrics as /trajectories, counted within the county); NaN where the "
    "replicate is not written",
    "school s in year y of replicate r: [0] headcount minus demand "
    "(teachers), [1] 1 when the school is short (headcount < round("
    "demand)); the scratch file of a --schools run only",
};
static const char *const part_dimnames[N_PARTS] = {
    "replicate,year,metric", "replicate,year,county,metric",
    "replicate,year,school,value" };

/* Create part p's dataset in h->file (its group too), chunked by
 * replicate: deflated in the final file, allocated and filled with NaN at
 * once in the scratch file (see below). Returns 0, or -1. */
static int create_part(h5ctx *c, tw_h5_out *h, int p, int final)
{
    hid_t space = H5I_INVALID_HID, dcpl = H5I_INVALID_HID;
    hid_t g = H5I_INVALID_HID;
    const double nan = NAN;
    int rank, rc = -1;
    hsize_t dims[4], chunk[4];
    size_t col0, cols;
    if (!part_dims(&h->shape, p, &rank, dims, &col0, &cols))
        return 0;
    ctx_step(c, "create %s in", part_path[p]);
    memcpy(chunk, dims, sizeof chunk);
    chunk[0] = 1;
    if (p != PART_REGION &&
        (g = make_group(c, h->file, p == PART_COUNTY ? "by_county"
                                                     : "schools")) < 0)
        goto out;
    if ((space = H5Screate_simple(rank, dims, NULL)) < 0 ||
        (dcpl = tw_h5u_untimed(H5P_DATASET_CREATE)) < 0 ||
        H5Pset_chunk(dcpl, rank, chunk) < 0)
        goto out;
    if (final && (H5Pset_shuffle(dcpl) < 0 ||
                  H5Pset_deflate(dcpl, p == PART_REGION ? 4 : 1) < 0))
        goto out;
    /* the scratch file: every chunk placed (and filled) now, so that a
     * replicate later only overwrites its own bytes */
    if (!final && (H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0 ||
                   H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC) < 0))
        goto out;
    if (H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan) < 0)
        goto out;
    if ((h->part[p] = H5Dcreate2(h->file, part_path[p], H5T_IEEE_F64LE,
                                 space, H5P_DEFAULT, dcpl,
                                 H5P_DEFAULT)) < 0)
        goto out;
    if (put_str_attr(c, h->part[p], "dims", part_dimnames[p]) != 0 ||
        put_str_attr(c, h->part[p], "description", part_desc[p]) != 0)
        goto out;
    rc = 0;
out:
    grabbed(c, rc);
    TW_H5U_CLOSE(&g, &dcpl, &space);
    return rc;
}

/*
 * Dimension scales inside group g, so that the group opened alone
 * (xarray's group=) has labelled dimensions: which[] names the scales to
 * make among "replicate", "year", "county", "metric", "school", "value".
 */
static int put_scales(h5ctx *c, hid_t g, const tw_h5_out *h,
                      const tw_h5_meta *meta, const char *const *which,
                      int n)
{
    const row_shape *r = &h->shape;
    const tw_world *w = meta->world;
    size_t most = r->n_reps;
    if (r->n_metrics > most) most = r->n_metrics;
    if (r->n_counties > most) most = r->n_counties;
    if (r->n_schools > most) most = r->n_schools;
    const char **v = malloc((most + 2) * sizeof *v);
    int *idx = malloc((most + 2) * sizeof *idx);
    int rc = -1;
    if (v == NULL || idx == NULL) {
        snprintf(c->detail, sizeof c->detail, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < most; i++)
        idx[i] = (int)i;
    for (int k = 0; k < n; k++) {
        const char *x = which[k];
        hsize_t d[1];
        int bad;
        if (strcmp(x, "replicate") == 0 || strcmp(x, "school") == 0) {
            d[0] = x[0] == 'r' ? r->n_reps : r->n_schools;
            bad = put_array(c, g, x, H5T_STD_I32LE, H5T_NATIVE_INT, 1, d,
                            idx, x[0] == 'r' ? "replicate index"
                            : "school index (in county order, as the model "
                              "expands the config's school blocks)",
                            NULL);
        } else if (strcmp(x, "year") == 0) {
            d[0] = r->n_years;
            bad = put_array(c, g, x, H5T_STD_I32LE, H5T_NATIVE_INT, 1, d,
                            meta->years, "calendar year", "year");
        } else if (strcmp(x, "metric") == 0) {
            for (size_t i = 0; i < r->n_metrics; i++)
                v[i] = meta->metrics->v[i].name;
            bad = put_strings(c, g, x, 0, r->n_metrics, v,
                              "metric name (units in /metrics/unit)");
        } else if (strcmp(x, "county") == 0) {
            for (size_t i = 0; i < r->n_counties; i++)
                v[i] = w->counties[i].name;
            bad = put_strings(c, g, x, 0, r->n_counties, v,
                              "county name (UTF-8), in config order");
        } else {
            v[0] = "surplus";
            v[1] = "short";
            bad = put_strings(c, g, x, 0, 2, v, "surplus: headcount minus "
                              "demand (teachers); short: 1 when headcount < "
                              "round(demand)");
        }
        if (bad != 0 || make_scale(c, g, x, x) != 0)
            goto out;
    }
    rc = 0;
out:
    free(v);
    free(idx);
    return rc;
}

/*
 * The county and school dimensions. /by_county holds its own scales
 * (replicate, year, county, metric) for /by_county/trajectories and its
 * summary; /schools holds year and school, the schools' labels county,
 * stage, locality [school], and in the scratch file replicate and value
 * for /schools/trajectories.
 */
static int put_places(h5ctx *c, tw_h5_out *h, const tw_h5_meta *meta,
                      int final)
{
    const row_shape *r = &h->shape;
    const tw_world *w = meta->world;
    int rc = -1;
    const char **v = NULL;
    hid_t g = H5I_INVALID_HID;
    if (r->n_counties == 0 && r->n_schools == 0)
        return 0;
    ctx_step(c, "write the county and school dimensions in");
    if (w == NULL) {
        snprintf(c->detail, sizeof c->detail, "internal: no region");
        goto out;
    }
    if (r->n_counties > 0) {
        static const char *const sc[4] = { "replicate", "year", "county",
                                           "metric" };
        static const char *const d4[4] = {
            "by_county/replicate", "by_county/year", "by_county/county",
            "by_county/metric" };
        if ((g = H5Gopen2(h->file, "by_county", H5P_DEFAULT)) < 0 ||
            put_scales(c, g, h, meta, sc, 4) != 0 ||
            attach_scales(c, h->file, "by_county/trajectories", 4, h->file,
                          d4) != 0)
            goto out;
        tw_h5u_close(&g);
    }
    if (r->n_schools > 0) {
        static const char *const sc[4] = { "year", "school", "replicate",
                                           "value" };
        static const char *const d1[1] = { "schools/school" };
        static const char *const d4[4] = {
            "schools/replicate", "schools/year", "schools/school",
            "schools/value" };
        if ((g = final ? make_group(c, h->file, "schools")
                       : H5Gopen2(h->file, "schools", H5P_DEFAULT)) < 0 ||
            put_scales(c, g, h, meta, sc, final ? 2 : 4) != 0)
            goto out;
        if ((v = malloc(r->n_schools * sizeof *v)) == NULL) {
            snprintf(c->detail, sizeof c->detail, "out of memory");
            goto out;
        }
        static const char *const what[3] = { "county", "stage", "locality" };
        for (int k = 0; k < 3; k++) {
            for (size_t i = 0; i < r->n_schools; i++) {
                const tw_school *sc1 = &w->schools[i];
                v[i] = k == 0 ? w->counties[sc1->county].name
                       : k == 1 ? tw_stage_names[sc1->stage]
                                : tw_loc_names[sc1->locality];
            }
            if (put_strings(c, g, what[k], 0, r->n_schools, v,
                            k == 0 ? "the school's county"
                            : k == 1 ? "the school's stage"
                                     : "the school's locality") != 0 ||
                attach_scales(c, g, what[k], 1, h->file, d1) != 0)
                goto out;
        }
        if (!final && attach_scales(c, h->file, "schools/trajectories", 4,
                                    h->file, d4) != 0)
            goto out;
    }
    rc = 0;
out:
    grabbed(c, rc);
    tw_h5u_close(&g);
    free(v);
    return rc;
}

/*
 * The two files of a run, built by build_file():
 *
 *   "<path>.partial"  the scratch file, while replicates are written and
 *                     for --resume: /trajectories without filters and with
 *                     every chunk allocated (and filled with NaN) at
 *                     creation. After it is created, nothing in it but the
 *                     bytes of trajectory rows and of /replicates/done
 *                     ever changes: no HDF5 metadata (chunk index, free
 *                     space, superblock end of file) is written again, so
 *                     the file is consistent between any two write()s of
 *                     the process, whatever moment kill -9 strikes.
 *   "<path>"          the result: /trajectories deflated (see the layout
 *                     at the top), built in "<path>.partial.tmp" once
 *                     every replicate is in the scratch file (seal()),
 *                     then renamed.
 *
 * HDF5 1.10 does not write its metadata in an order that survives a kill:
 * in one flush the raw data and /replicates/done go out before the chunk
 * index and the superblock, and a chunk added to a deflated dataset
 * changes all three. A process killed between two of those writes left a
 * scratch file where done[r] == 1 but row r was NaN (the resumed run
 * differed), or one that HDF5 could not open ("addr overflow");
 * tests/stress_test.sh kills before each write in turn.
 *
 * Each file is built under "<path>.partial.tmp" and renamed: a file named
 * "<path>.partial" is always complete in its layout.
 */
static int build_file(h5ctx *c, tw_h5_out *h, const char *fname,
                      const tw_h5_meta *meta, int final)
{
    hid_t fcpl = H5I_INVALID_HID, fapl = H5I_INVALID_HID;
    int rc = TW_EFAIL;

    ctx_step(c, "create");
    if ((fcpl = tw_h5u_untimed(H5P_FILE_CREATE)) < 0 ||
        (fapl = writer_fapl()) < 0)
        goto out;
    if ((h->file = H5Fcreate(fname, H5F_ACC_TRUNC, fcpl, fapl)) < 0)
        goto out;
    h->tmp_ours = 1;

    ctx_step(c, "write the root attributes in");
    if (put_root_attrs(c, h->file, meta) != 0)
        goto out;

    for (int p = 0; p < N_PARTS; p++) {
        /* the schools' rows live in the scratch file only: the result
         * keeps their summary (tw_h5_write_summary) */
        if (final && p == PART_SCHOOL)
            continue;
        if (create_part(c, h, p, final) != 0)
            goto out;
    }

    ctx_step(c, "create /replicates/done in");
    if (put_group(c, h->file, "replicates", fill_done, h) != 0 ||
        (h->done = H5Dopen2(h->file, "/replicates/done", H5P_DEFAULT)) < 0)
        goto out;

    ctx_step(c, "write /years in");
    {
        hsize_t dims[1] = { h->n_years };
        if (put_array(c, h->file, "years", H5T_STD_I32LE, H5T_NATIVE_INT, 1,
                      dims, meta->years, "calendar year of each row of "
                      "/trajectories", "year") != 0)
            goto out;
    }

    ctx_step(c, "write /metrics in");
    if (put_group(c, h->file, "metrics", fill_metrics, meta->metrics) != 0)
        goto out;

    ctx_step(c, "write the dimension scales in");
    {
        hsize_t dr[1] = { h->n_reps }, dy[1] = { h->n_years };
        int *idx = malloc(h->n_reps * sizeof *idx);
        const char **mn = malloc(h->n_metrics * sizeof *mn);
        int bad = idx == NULL || mn == NULL;
        for (size_t i = 0; !bad && i < h->n_reps; i++)
            idx[i] = (int)i;
        for (size_t i = 0; !bad && i < h->n_metrics; i++)
            mn[i] = meta->metrics->v[i].name;
        if (!bad)
            bad = put_array(c, h->file, "replicate", H5T_STD_I32LE,
                            H5T_NATIVE_INT, 1, dr, idx, "replicate index",
                            NULL) != 0 ||
                  put_array(c, h->file, "year", H5T_STD_I32LE,
                            H5T_NATIVE_INT, 1, dy, meta->years,
                            "calendar year", "year") != 0 ||
                  put_strings(c, h->file, "metric", 0, h->n_metrics, mn,
                              "metric name (units in /metrics/unit)") != 0;
        free(idx);
        free(mn);
        static const char *const dims3[3] = { "/replicate", "/year",
                                              "/metric" };
        if (bad || make_scale(c, h->file, "replicate", "replicate") != 0 ||
            make_scale(c, h->file, "year", "year") != 0 ||
            make_scale(c, h->file, "metric", "metric") != 0 ||
            attach_scales(c, h->file, "trajectories", 3, h->file,
                          dims3) != 0 ||
            attach_scales(c, h->file, "replicates/done", 1, h->file,
                          dims3) != 0)
            goto out;
        static const char *const mfield[4] = {
            "metrics/name", "metrics/unit", "metrics/description",
            "metrics/label" };
        for (int i = 0; i < 4; i++)
            if (attach_scales(c, h->file, mfield[i], 1, h->file,
                              dims3 + 2) != 0)
                goto out;
        if (attach_scales(c, h->file, "years", 1, h->file, dims3 + 1) != 0)
            goto out;
    }

    if (put_places(c, h, meta, final) != 0)
        goto out;

    if (meta->n_tiers > 0) {
        ctx_step(c, "write /tiers/names in");
        if (put_group(c, h->file, "tiers", fill_tiers, meta) != 0)
            goto out;
    }

    ctx_step(c, "write /config in");
    if (put_group(c, h->file, "config", fill_config, meta) != 0)
        goto out;

    ctx_step(c, "write /provenance in");
    if (put_group(c, h->file, "provenance", fill_provenance, NULL) != 0)
        goto out;

    rc = flush(c, h->file);
out:
    grabbed(c, rc);
    TW_H5U_CLOSE(&fcpl, &fapl);
    return rc;
}

/*
 * Build the whole layout of the scratch file "<path>.partial" (replacing
 * any stale one), with /trajectories all NaN and /replicates/done all 0.
 * `meta` is borrowed and must outlive the handle (the final file is built
 * from it). On failure nothing is left on disk and *out is NULL.
 */
int tw_h5_create(const char *path, const tw_h5_meta *meta, tw_h5_out **out,
                 tw_error *err)
{
    h5ctx c = { .file = path };
    tw_h5_out *h = NULL;
    int rc = TW_EFAIL;

    *out = NULL;
    ctx_step(&c, "set up HDF5 to write");
    if (h5_setup() < 0)
        goto out;
    if (meta->metrics == NULL || meta->n_replicates == 0 ||
        meta->n_years == 0 || meta->metrics->n == 0 || meta->years == NULL ||
        (meta->n_tiers > 0 && meta->tier_names == NULL) ||
        (meta->n_overrides > 0 && meta->overrides == NULL)) {
        ctx_fail(&c, err, "internal: cannot write %s: %zu replicates, %zu "
                 "years, %zu metrics (all must be > 0)", path,
                 meta->n_replicates, meta->n_years,
                 meta->metrics ? meta->metrics->n : 0);
        goto out;
    }
    if ((h = handle_new(path, meta)) == NULL) {
        ctx_fail(&c, err, "out of memory creating %s.partial", path);
        goto out;
    }
    c.file = h->partial;
    if (build_file(&c, h, h->tmp, meta, 0) != TW_OK)
        goto out;
    ctx_step(&c, "create");
    if (rename(h->tmp, h->partial) != 0) {
        ctx_fail(&c, err, "cannot rename %s to %s: %s", h->tmp, h->partial,
                 strerror(errno));
        goto out;
    }
    h->tmp_ours = 0;
    h->created = 1;
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    if (rc == TW_OK)
        *out = h;
    else
        tw_h5_abort(h);
    return rc;
}


/*
 * Write buf (memory type mt, shaped mdims[0..mrank)) to the elements of
 * dataset d that fspace, d's dataspace, selects, with transfer list dxpl.
 * An empty file selection takes an empty memory selection (a collective
 * write in which this rank has no rows).
 */
static int write_selected(hid_t d, hid_t mt, hid_t fspace, int mrank,
                          const hsize_t *mdims, hid_t dxpl, const void *buf)
{
    hid_t ms = H5Screate_simple(mrank, mdims, NULL);
    hssize_t np = H5Sget_select_npoints(fspace);
    return tw_h5u_finish(&ms, ms >= 0 && np >= 0 &&
                                  (np > 0 || H5Sselect_none(ms) >= 0) &&
                                  H5Dwrite(d, mt, ms, fspace, dxpl, buf) >= 0);
}

/*
 * Write the rows of replicates reps[0..n) (ascending), packed in buf as
 * [n][n_years][width], into every part's dataset d[p] of a run of shape
 * r, with transfer list dxpl: part p takes the columns [col0, col0 +
 * cols) of each year. n == 0 selects nothing (a collective write in which
 * this rank has no rows). Returns 0, or -1.
 */
static int put_rows(const hid_t *d, const row_shape *r, size_t n,
                    const size_t *reps, const double *buf, hid_t dxpl)
{
    for (int p = 0; p < N_PARTS; p++) {
        int rank;
        hsize_t dims[4];
        size_t col0, cols;
        if (!part_dims(r, p, &rank, dims, &col0, &cols) || d[p] < 0)
            continue;
        hid_t fs = H5Dget_space(d[p]), ms = H5I_INVALID_HID;
        int ok = fs >= 0 && H5Sselect_none(fs) >= 0;
        for (size_t i = 0, j; ok && i < n; i = j) {
            for (j = i + 1; j < n && reps[j] == reps[j - 1] + 1; j++)
                ;
            hsize_t start[4] = { reps[i], 0, 0, 0 }, count[4];
            memcpy(count, dims, sizeof count);
            count[0] = j - i;
            ok = H5Sselect_hyperslab(fs, i == 0 ? H5S_SELECT_SET
                                                : H5S_SELECT_OR,
                                     start, NULL, count, NULL) >= 0;
        }
        hsize_t mdims[3] = { n ? n : 1, r->n_years, r->width };
        hsize_t mstart[3] = { 0, 0, col0 }, mcount[3] = { n, r->n_years,
                                                          cols };
        ok = ok && (ms = H5Screate_simple(3, mdims, NULL)) >= 0 &&
             (n > 0 ? H5Sselect_hyperslab(ms, H5S_SELECT_SET, mstart, NULL,
                                          mcount, NULL)
                    : H5Sselect_none(ms)) >= 0 &&
             H5Dwrite(d[p], H5T_NATIVE_DOUBLE, ms, fs, dxpl, buf) >= 0;
        TW_H5U_CLOSE(&ms, &fs);
        if (!ok)
            return -1;
    }
    return 0;
}

/*
 * Write rows [reps[i], :, :] of /trajectories from rows[i] ([n_years]
 * [n_metrics] each, borrowed) and flush, then set /replicates/done[reps[i]]
 * = 1 and flush again, so done[r] == 1 on disk implies the trajectory is
 * on disk. The chunks are already allocated (build_file): both flushes
 * write raw bytes in place and no metadata. Two flushes for the n rows: a
 * threaded run hands back several finished replicates at once.
 */
int tw_h5_write_replicates(tw_h5_out *h, size_t n, const size_t *reps,
                           const double *const *rows, tw_error *err)
{
    h5ctx c = { .file = h->partial };
    hid_t fspace = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    unsigned char *ones = NULL;
    hsize_t *coord = NULL;

    if (n == 0)
        return TW_OK;
    for (size_t i = 0; i < n; i++) {
        if (reps[i] >= h->n_reps) {
            ctx_fail(&c, err, "internal: replicate %zu is out of range for "
                     "%s (%zu replicates)", reps[i], h->partial, h->n_reps);
            goto out;
        }
    }
    /* one block: the coordinates, then the flags */
    if ((coord = malloc(n * (sizeof *coord + 1))) == NULL) {
        ctx_fail(&c, err, "out of memory writing %s", h->partial);
        goto out;
    }
    ones = (unsigned char *)(coord + n);
    for (size_t i = 0; i < n; i++) {
        ctx_step(&c, "write replicate %zu to /trajectories in", reps[i]);
        if (put_rows(h->part, &h->shape, 1, &reps[i], rows[i],
                     H5P_DEFAULT) != 0)
            goto out;
        ones[i] = 1;
        coord[i] = reps[i];
    }
    /* the rows reach the file before their flags: one flush is not
     * enough, as HDF5 does not write the datasets of one flush in the
     * order they were changed */
    if (flush(&c, h->file) != TW_OK)
        goto out;
    if (n == 1)
        ctx_step(&c, "set /replicates/done[%zu] in", reps[0]);
    else
        ctx_step(&c, "set /replicates/done of %zu replicates in", n);
    hsize_t nelem[1] = { n };
    if ((fspace = H5Dget_space(h->done)) < 0 ||
        H5Sselect_elements(fspace, H5S_SELECT_SET, n, coord) < 0 ||
        write_selected(h->done, H5T_NATIVE_UINT8, fspace, 1, nelem,
                       H5P_DEFAULT, ones) != 0)
        goto out;
    if (flush(&c, h->file) != TW_OK)
        goto out;
    for (size_t i = 0; i < n; i++)
        h->written[reps[i]] = 1;
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    tw_h5u_close(&fspace);
    free(coord);
    return rc;
}

/* One replicate: tw_h5_write_replicates with n = 1. */
int tw_h5_write_replicate(tw_h5_out *h, size_t rep, const double *traj,
                          tw_error *err)
{
    return tw_h5_write_replicates(h, 1, &rep, &traj, err);
}

/*
 * Replicates per H5Dread when reading /trajectories back. A chunk is one
 * replicate, and HDF5 1.10 builds its own bookkeeping for every chunk one
 * read touches (~6 KB each: reading 12,800 replicates in one call took
 * 80 MB): one read of every replicate would cost memory in proportion to
 * them. 256 chunks keep it near 1.6 MB.
 */
#define READ_SLAB 256

/* 0 when dataset d has `rank` dimensions of extent dims[]; else -1 with
 * the difference in c->detail. */
static int check_extent(h5ctx *c, hid_t d, int rank, const hsize_t *dims)
{
    return grabbed(c, tw_h5u_check_extent(d, rank, dims, c->detail,
                                          sizeof c->detail));
}

/* Read columns of /trajectories back from the file being written (see
 * tw_h5.h). Each run of consecutive columns is one hyperslab of the
 * selection; HDF5 hands a selection's elements over in the order of
 * their file coordinates, which is buf's [replicate][year][k] order
 * because cols[] ascends. */
/* Select in fs (part p's space, shape r) the columns cols[0..n) (all in
 * the part, ascending) of replicates r0 .. r0 + k - 1, every year: one
 * hyperslab per run of consecutive columns in a rank-3 part; in a rank-4
 * part, a run is cut into its first partial group, its whole groups (one
 * hyperslab for all of them) and its last partial group. */
static int select_cols(hid_t fs, const row_shape *r, int p, size_t r0,
                       size_t k, size_t n, const size_t *cols)
{
    int rank;
    hsize_t dims[4];
    size_t col0, ncols;
    part_dims(r, p, &rank, dims, &col0, &ncols);
    size_t per = rank == 3 ? ncols : dims[3];
    H5S_seloper_t op = H5S_SELECT_SET;
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && cols[j] == cols[j - 1] + 1; j++)
            ;
        size_t a = cols[i] - col0, b = cols[j - 1] - col0 + 1;
        while (a < b) {
            size_t g = a / per, v = a % per, len, ng = 1;
            if (v == 0 && b - a >= per) {
                ng = (b - a) / per;    /* whole groups */
                len = per;
            } else {
                len = per - v < b - a ? per - v : b - a;
            }
            hsize_t start[4] = { r0, 0, g, v };
            hsize_t count[4] = { k, r->n_years, ng, len };
            if (rank == 3) {
                start[2] = v;
                count[2] = len;
            }
            if (H5Sselect_hyperslab(fs, op, start, NULL, count, NULL) < 0)
                return -1;
            op = H5S_SELECT_OR;
            a += ng * len;
        }
    }
    return 0;
}

/* Read columns of a year's row back from the file being written (see
 * tw_h5.h), part by part. HDF5 hands a selection's elements over in the
 * order of their file coordinates, which is buf's [replicate][year][k]
 * order because cols[] ascends and a part's columns are its (group,
 * value) pairs in order. */
int tw_h5_read_columns(tw_h5_out *h, size_t n, const size_t *cols,
                       double *buf, tw_error *err)
{
    h5ctx c = { .file = h->partial };
    hid_t fspace = H5I_INVALID_HID, mspace = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    const row_shape *r = &h->shape;

    if (n == 0)
        return TW_OK;
    for (size_t i = 0; i < n; i++)
        if (cols[i] >= r->width || (i > 0 && cols[i] <= cols[i - 1])) {
            ctx_fail(&c, err, "internal: columns to read from %s must "
                     "ascend below %zu", h->partial, r->width);
            goto out;
        }
    ctx_step(&c, "read the trajectories back from");
    for (int p = 0; p < N_PARTS; p++) {
        int rank;
        hsize_t dims[4];
        size_t col0, ncols, k0 = 0, k1;
        if (!part_dims(r, p, &rank, dims, &col0, &ncols))
            continue;
        while (k0 < n && cols[k0] < col0)
            k0++;
        for (k1 = k0; k1 < n && cols[k1] < col0 + ncols; k1++)
            ;
        if (k1 == k0)
            continue;
        if (h->part[p] < 0) {
            ctx_fail(&c, err, "internal: %s has no %s", h->partial,
                     part_path[p]);
            goto out;
        }
        if ((fspace = H5Dget_space(h->part[p])) < 0)
            goto out;
        size_t mrows = 0;
        for (size_t r0 = 0; r0 < r->n_reps; r0 += READ_SLAB) {
            size_t k = r->n_reps - r0 < READ_SLAB ? r->n_reps - r0
                                                  : READ_SLAB;
            if (select_cols(fspace, r, p, r0, k, k1 - k0, cols + k0) != 0)
                goto out;
            if (k != mrows) {
                hsize_t mdims[3] = { k, r->n_years, n };
                hsize_t ms[3] = { 0, 0, k0 }, mc[3] = { k, r->n_years,
                                                        k1 - k0 };
                if (tw_h5u_release(&mspace) < 0 ||
                    (mspace = H5Screate_simple(3, mdims, NULL)) < 0 ||
                    H5Sselect_hyperslab(mspace, H5S_SELECT_SET, ms, NULL,
                                        mc, NULL) < 0)
                    goto out;
                mrows = k;
            }
            if (H5Dread(h->part[p], H5T_NATIVE_DOUBLE, mspace, fspace,
                        H5P_DEFAULT, buf + r0 * r->n_years * n) < 0)
                goto out;
        }
        if (tw_h5u_release(&fspace) < 0 || tw_h5u_release(&mspace) < 0)
            goto out;
        k0 = k1;
    }
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    TW_H5U_CLOSE(&mspace, &fspace);
    return rc;
}

int tw_h5_read_block(tw_h5_out *h, size_t m0, size_t m1, double *buf,
                     tw_error *err)
{
    if (m0 > m1 || m1 > h->shape.width)
        return tw_error_set(err, TW_EFAIL, "internal: columns %zu..%zu of "
                            "%s, which has %zu", m0, m1, h->partial,
                            h->shape.width);
    size_t *cols = malloc((m1 > m0 ? m1 - m0 : 1) * sizeof *cols);
    if (cols == NULL)
        return tw_error_set(err, TW_EFAIL, "out of memory reading %s",
                            h->partial);
    for (size_t m = m0; m < m1; m++)
        cols[m - m0] = m;
    int rc = tw_h5_read_columns(h, m1 - m0, cols, buf, err);
    free(cols);
    return rc;
}

/* Rows copied per read and write when the final file is built. */
#define SEAL_SLAB 64

/*
 * Every replicate is in the scratch file: build the final file (deflated
 * /trajectories, /replicates/done all 1) under "<path>.partial.tmp",
 * copy the rows into it, close the scratch file, and go on writing (the
 * summary, the targets) into the new file. The scratch file is not
 * changed; a kill from here on leaves it complete, for --resume.
 */
static int seal(h5ctx *c, tw_h5_out *h, tw_error *err)
{
    tw_h5_out *f = NULL;
    hid_t fs = H5I_INVALID_HID, ts = H5I_INVALID_HID;
    hid_t ms = H5I_INVALID_HID;
    double *buf = NULL;
    int rc = TW_EFAIL;
    size_t len = h->n_years * h->shape.width;

    if (h->sealed)
        return TW_OK;
    for (size_t r = 0; r < h->n_reps; r++)
        if (!h->written[r]) {
            ctx_fail(c, err, "internal: %s is incomplete (replicate %zu "
                     "missing)", h->partial, r);
            return TW_EFAIL;
        }
    if ((f = handle_new(h->path, h->meta)) == NULL ||
        (buf = malloc(SEAL_SLAB * len * sizeof *buf)) == NULL) {
        ctx_fail(c, err, "out of memory writing %s", h->path);
        goto out;
    }
    memset(f->written, 1, f->n_reps);
    c->file = h->tmp;
    if (build_file(c, f, h->tmp, h->meta, 1) != TW_OK)
        goto out;
    for (int p = 0; p < N_PARTS; p++) {
        int rank;
        hsize_t dims[4];
        size_t col0, cols;
        if (!part_dims(&h->shape, p, &rank, dims, &col0, &cols) ||
            f->part[p] < 0)
            continue;   /* the schools' rows stay behind */
        ctx_step(c, "copy %s into", part_path[p]);
        if ((fs = H5Dget_space(h->part[p])) < 0 ||
            (ts = H5Dget_space(f->part[p])) < 0)
            goto out;
        for (size_t r0 = 0; r0 < h->n_reps; r0 += SEAL_SLAB) {
            size_t k = h->n_reps - r0 < SEAL_SLAB ? h->n_reps - r0
                                                  : SEAL_SLAB;
            hsize_t start[4] = { r0, 0, 0, 0 }, count[4];
            memcpy(count, dims, sizeof count);
            count[0] = k;
            if ((ms = H5Screate_simple(rank, count, NULL)) < 0 ||
                H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count,
                                    NULL) < 0 ||
                H5Sselect_hyperslab(ts, H5S_SELECT_SET, start, NULL, count,
                                    NULL) < 0 ||
                H5Dread(h->part[p], H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT,
                        buf) < 0 ||
                H5Dwrite(f->part[p], H5T_NATIVE_DOUBLE, ms, ts, H5P_DEFAULT,
                         buf) < 0 ||
                tw_h5u_release(&ms) < 0)
                goto out;
        }
        if (tw_h5u_release(&fs) < 0 || tw_h5u_release(&ts) < 0)
            goto out;
    }
    ctx_step(c, "close");
    c->file = h->partial;
    if (tw_h5u_release(&h->done) < 0)
        goto out;
    for (int p = 0; p < N_PARTS; p++)
        if (tw_h5u_release(&h->part[p]) < 0)
            goto out;
    if (H5Fclose(h->file) < 0)
        goto out;
    /* h goes on with f's open file */
    h->file = f->file;
    h->done = f->done;
    f->file = f->done = H5I_INVALID_HID;
    for (int p = 0; p < N_PARTS; p++) {
        h->part[p] = f->part[p];
        f->part[p] = H5I_INVALID_HID;
    }
    h->tmp_ours = 1;
    h->sealed = 1;
    c->file = h->tmp;
    rc = TW_OK;
out:
    grabbed(c, rc);
    TW_H5U_CLOSE(&ms, &fs, &ts);
    if (f != NULL && f->tmp_ours && f->file >= 0) {
        handle_free(f);     /* closes the half-built file */
        unlink(h->tmp);
    } else if (f != NULL) {
        handle_free(f);
    }
    free(buf);
    return rc;
}

/* Create /summary and its five [n_years, n_metrics] datasets from s
 * (borrowed); may be called once per file. */
/* The columns [col0, col0 + n) of v ([n_years][width]) at stride
 * `step`, packed into out [n_years][n]. */
static void take_cols(const row_shape *r, const double *v, size_t col0,
                      size_t n, size_t step, double *out)
{
    for (size_t y = 0; y < r->n_years; y++)
        for (size_t k = 0; k < n; k++)
            out[y * n + k] = v[y * r->width + col0 + k * step];
}

/* The summaries of part p (region or county) in group gname. */
static int summary_part(h5ctx *c, tw_h5_out *h, const tw_summary *s, int p,
                        double *tmp)
{
    const struct { const char *name; const double *v; const char *desc; }
    ds[5] = {
        { "mean", s->mean, "mean over replicates" },
        { "sd", s->sd, "sample standard deviation over replicates (n - 1; "
                       "0 for one replicate)" },
        { "p05", s->p05, "5th percentile over replicates (linear)" },
        { "p50", s->p50, "median over replicates (linear)" },
        { "p95", s->p95, "95th percentile over replicates (linear)" },
    };
    static const char *const dims3[3] = { "by_county/year",
                                          "by_county/county",
                                          "by_county/metric" };
    static const char *const dims2[2] = { "/year", "/metric" };
    int rank;
    hsize_t pd[4], dims[3];
    size_t col0, cols;
    int county = p == PART_COUNTY;
    if (!part_dims(&h->shape, p, &rank, pd, &col0, &cols))
        return 0;
    memcpy(dims, pd + 1, sizeof dims);
    const char *gname = county ? "by_county/summary" : "summary";
    hid_t g = H5I_INVALID_HID;
    int rc = -1;
    ctx_step(c, "create /%s in", gname);
    if ((g = make_group(c, h->file, gname)) < 0 ||
        put_str_attr(c, g, "dims", county ? "year,county,metric"
                                          : "year,metric") != 0)
        goto out;
    for (int i = 0; i < 5; i++) {
        ctx_step(c, "write /%s/%s in", gname, ds[i].name);
        take_cols(&h->shape, ds[i].v, col0, cols, 1, tmp);
        if (put_array(c, g, ds[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                      county ? 3 : 2, dims, tmp, ds[i].desc, NULL) != 0 ||
            attach_scales(c, g, ds[i].name, county ? 3 : 2, h->file,
                          county ? dims3 : dims2) != 0)
            goto out;
    }
    rc = 0;
out:
    tw_h5u_close(&g);
    return rc;
}

/* /schools/summary: per school and year, the surplus (headcount minus
 * demand) mean and 90% band over the replicates, and P(short). */
static int summary_schools(h5ctx *c, tw_h5_out *h, const tw_summary *s,
                           double *tmp)
{
    int rank;
    hsize_t pd[4];
    size_t col0, cols;
    if (!part_dims(&h->shape, PART_SCHOOL, &rank, pd, &col0, &cols))
        return 0;
    const struct { const char *name; const double *v; size_t off;
                   const char *desc; const char *unit; } ds[4] = {
        { "surplus_mean", s->mean, 0, "headcount minus demand (teachers "
          "with a post at the school minus its demand under the staffing "
          "standard), mean over replicates; negative: short", "teachers" },
        { "surplus_p05", s->p05, 0, "headcount minus demand, 5th "
          "percentile over replicates (linear)", "teachers" },
        { "surplus_p95", s->p95, 0, "headcount minus demand, 95th "
          "percentile over replicates (linear)", "teachers" },
        { "p_short", s->mean, 1, "share of replicates in which the school "
          "is short: headcount below its demand rounded", "share" },
    };
    static const char *const dims2[2] = { "schools/year", "schools/school" };
    hsize_t dims[2] = { h->n_years, h->shape.n_schools };
    hid_t g = H5I_INVALID_HID;
    int rc = -1;
    ctx_step(c, "write the school summary in");
    if ((g = H5Gopen2(h->file, "schools", H5P_DEFAULT)) < 0)
        goto out;
    for (int i = 0; i < 4; i++) {
        ctx_step(c, "write /schools/%s in", ds[i].name);
        take_cols(&h->shape, ds[i].v, col0 + ds[i].off, h->shape.n_schools,
                  2, tmp);
        if (put_array(c, g, ds[i].name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 2,
                      dims, tmp, ds[i].desc, ds[i].unit) != 0 ||
            attach_scales(c, g, ds[i].name, 2, h->file, dims2) != 0)
            goto out;
    }
    rc = 0;
out:
    tw_h5u_close(&g);
    return rc;
}

/* Create /summary (and /by_county/summary, /schools/summary) from s, the
 * summary of every column of a year's row; once per file. */
int tw_h5_write_summary(tw_h5_out *h, const tw_summary *s, tw_error *err)
{
    h5ctx c = { .file = h->partial };
    int rc = TW_EFAIL;
    double *tmp = NULL;

    if (s->n_years != h->n_years || s->n_metrics != h->shape.width) {
        ctx_fail(&c, err, "internal: summary of %zu years x %zu columns "
                 "does not fit %s (%zu x %zu)", s->n_years, s->n_metrics,
                 h->partial, h->n_years, h->shape.width);
        goto out;
    }
    if (seal(&c, h, err) != TW_OK)
        goto out;
    if ((tmp = malloc((h->n_years * h->shape.width + 1) * sizeof *tmp)) ==
        NULL) {
        ctx_fail(&c, err, "out of memory writing %s", h->path);
        goto out;
    }
    if (summary_part(&c, h, s, PART_REGION, tmp) != 0 ||
        summary_part(&c, h, s, PART_COUNTY, tmp) != 0 ||
        summary_schools(&c, h, s, tmp) != 0)
        goto out;
    if (flush(&c, h->file) != TW_OK)
        goto out;
    h->have_summary = 1;
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    free(tmp);
    return rc;
}

/* The datasets of /targets, in the order they are written (which fixes
 * the file's layout). */
enum {
    TC_NAME, TC_METRIC, TC_KIND, TC_OP, TC_QUOTE, TC_SOURCE, TC_NOTE,
    TC_TARGET, TC_VALUE, TC_YEAR, TC_FROM, TC_NATIONAL, TC_QUANTITY, TC_MET,
    TC_P_MET, TC_P_SE, TC_P_LO, TC_P_HI, TC_MEAN, TC_P05, TC_P50, TC_P95,
    TC_SCOPE, TC_COUNTY, TC_N
};

/* type: 's' text, 'd' float64, 'i' int32, 'u' uint8; a rank 2 column is
 * [replicate, target], the others [target]. */
static const struct tcol {
    const char *name;
    char type;
    int rank;
    const char *desc;
} tcols[TC_N] = {
    [TC_NAME] = { "name", 's', 1, "target id" },
    [TC_METRIC] = { "metric", 's', 1, "metric compared (docs/metrics.md)" },
    [TC_KIND] = { "kind", 's', 1, "level, cumulative, change or every_year" },
    [TC_OP] = { "op", 's', 1, "comparison operator" },
    [TC_QUOTE] = { "quote", 's', 1, "the sentence of the source document" },
    [TC_SOURCE] = { "source", 's', 1, "source document" },
    [TC_NOTE] = { "note", 's', 1,
                  "how the quote was mapped onto the metric" },
    [TC_TARGET] = { "target", 's', 1, "target name" },
    [TC_VALUE] = { "value", 'd', 1, "threshold" },
    [TC_YEAR] = { "year", 'i', 1, "target year" },
    [TC_FROM] = { "from", 'i', 1, "first year (cumulative, every_year) or "
                                  "reference year (change)" },
    [TC_NATIONAL] = { "national", 'u', 1,
                      "1 = a national target applied to the region" },
    [TC_QUANTITY] = { "quantity", 'd', 2, "the compared quantity per "
                                          "replicate [replicate, target]" },
    [TC_MET] = { "met", 'u', 2,
                 "1 = met in that replicate [replicate, target]" },
    [TC_P_MET] = { "p_met", 'd', 1, "share of replicates meeting the target" },
    [TC_P_SE] = { "p_se", 'd', 1, "Monte Carlo standard error of p_met" },
    [TC_P_LO] = { "p_lo", 'd', 1,
                  "lower end of the 90% Wilson interval of p_met" },
    [TC_P_HI] = { "p_hi", 'd', 1,
                  "upper end of the 90% Wilson interval of p_met" },
    [TC_MEAN] = { "mean", 'd', 1, "mean of the quantity" },
    [TC_P05] = { "p05", 'd', 1, "5th percentile of the quantity" },
    [TC_P50] = { "p50", 'd', 1, "median of the quantity" },
    [TC_P95] = { "p95", 'd', 1, "95th percentile of the quantity" },
    [TC_SCOPE] = { "scope", 's', 1, "region, county or each_county (met "
                                    "only if every county meets it)" },
    [TC_COUNTY] = { "county", 's', 1, "the county of a county target; "
                                      "\"\" for the other scopes" },
};

/* The values of column k for the nt targets: text in sv, numbers in nv
 * (room for nt doubles), or the caller's [replicate, target] arrays;
 * returns what to write. */
static const void *target_column(int k, const tw_target *t, size_t nt,
                                 const tw_target_result *res,
                                 const double *quantity,
                                 const unsigned char *met, const char **sv,
                                 void *nv)
{
    double *dv = nv;
    int *iv = nv;
    unsigned char *uv = nv;
    if (k == TC_QUANTITY || k == TC_MET)
        return k == TC_MET ? (const void *)met : quantity;
    for (size_t i = 0; i < nt; i++) {
        const tw_target *x = &t[i];
        const tw_target_result *r = &res[i];
        const char *text[TC_TARGET + 1] = {
            x->name, x->metric, tw_target_kind_names[x->kind],
            tw_op_names[x->op], x->quote, x->source, x->note, x->name };
        const double result[TC_SCOPE - TC_P_MET] = {
            r->p_met, r->p_se, r->p_lo, r->p_hi, r->mean, r->p05, r->p50,
            r->p95 };
        if (k <= TC_TARGET)
            sv[i] = text[k];
        else if (k == TC_SCOPE)
            sv[i] = tw_target_scope_names[x->scope];
        else if (k == TC_COUNTY)
            sv[i] = x->scope == TW_SCOPE_COUNTY && x->county ? x->county : "";
        else if (k == TC_YEAR || k == TC_FROM)
            iv[i] = k == TC_YEAR ? x->year : x->from;
        else if (k == TC_NATIONAL)
            uv[i] = (unsigned char)x->national;
        else
            dv[i] = k == TC_VALUE ? x->value : result[k - TC_P_MET];
    }
    return tcols[k].type == 's' ? (const void *)sv : nv;
}

/* Column `col` of /targets [dims] from v. */
static int put_target_column(h5ctx *c, hid_t g, const struct tcol *col,
                             const hsize_t *dims, const void *v)
{
    ctx_step(c, "write /targets/%s in", col->name);
    if (col->type == 's')
        return put_strings(c, g, col->name, 0, dims[0], v, col->desc);
    hid_t ft = col->type == 'd' ? H5T_IEEE_F64LE
             : col->type == 'i' ? H5T_STD_I32LE : H5T_STD_U8LE;
    hid_t mt = col->type == 'd' ? H5T_NATIVE_DOUBLE
             : col->type == 'i' ? H5T_NATIVE_INT : H5T_NATIVE_UCHAR;
    return put_array(c, g, col->name, ft, mt, col->rank, dims, v, col->desc,
                     NULL);
}

/* The results of an each_county target per county, [target, county]. */
static const struct {
    const char *name, *desc;
} bycols[7] = {
    { "p_met", "share of replicates in which the county meets the target "
               "[target, county]; NaN unless the target is each_county" },
    { "p_lo", "lower end of the 90% Wilson interval of p_met" },
    { "p_hi", "upper end of the 90% Wilson interval of p_met" },
    { "mean", "mean of the county's quantity" },
    { "p05", "5th percentile of the county's quantity" },
    { "p50", "median of the county's quantity" },
    { "p95", "95th percentile of the county's quantity" },
};

/* /targets/by_county in g: the county names (a dimension scale) and the
 * per-county results of cres [nt][nc]; v is scratch of nt * nc doubles. */
static int put_by_county(h5ctx *c, hid_t g, hid_t file, size_t nt,
                         const char *const *counties, size_t nc,
                         const tw_target_result *cres, double *v)
{
    hid_t b = H5I_INVALID_HID;
    int rc = -1;
    hsize_t d2[2] = { nt, nc };
    static const char *const dims[2] = { "/targets/target",
                                         "/targets/by_county/county" };
    ctx_step(c, "create /targets/by_county in");
    if ((b = make_group(c, g, "by_county")) < 0 ||
        put_str_attr(c, b, "dims", "target,county") != 0)
        goto out;
    ctx_step(c, "write /targets/by_county/county in");
    if (put_strings(c, b, "county", 0, nc, counties, "county name") != 0 ||
        make_scale(c, b, "county", "county") != 0)
        goto out;
    for (int k = 0; k < 7; k++) {
        for (size_t i = 0; i < nt * nc; i++) {
            const tw_target_result *r = &cres[i];
            const double f[7] = { r->p_met, r->p_lo, r->p_hi, r->mean,
                                  r->p05, r->p50, r->p95 };
            v[i] = f[k];
        }
        ctx_step(c, "write /targets/by_county/%s in", bycols[k].name);
        if (put_array(c, b, bycols[k].name, H5T_IEEE_F64LE,
                      H5T_NATIVE_DOUBLE, 2, d2, v, bycols[k].desc,
                      NULL) != 0 ||
            attach_scales(c, b, bycols[k].name, 2, file, dims) != 0)
            goto out;
    }
    rc = 0;
out:
    tw_h5u_close(&b);
    return rc;
}

/* Write /targets (see tw_h5.h). */
int64_t tw_h5_out_file(const tw_h5_out *h)
{
    return (int64_t)h->file;
}

int tw_h5_write_targets(tw_h5_out *h, const tw_target *t, size_t nt,
                        const double *quantity, const unsigned char *met,
                        const tw_target_result *res,
                        const char *const *counties, size_t nc,
                        const tw_target_result *cres, tw_error *err)
{
    h5ctx c = { .file = h->partial };
    hid_t g = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    size_t nv_n = nt * nc > nt ? nt * nc : nt;
    const char **sv = calloc(nt ? nt : 1, sizeof *sv);
    double *nv = calloc(nv_n ? nv_n : 1, sizeof *nv);
    uint64_t n64 = nt;
    hsize_t d1[1] = { nt }, d2[2] = { h->n_reps, nt };
    static const char *const tdim[2] = { "/replicate", "/targets/target" };

    if (seal(&c, h, err) != TW_OK)
        goto out;
    if (sv == NULL || nv == NULL) {
        ctx_fail(&c, err, "out of memory writing the targets");
        goto out;
    }
    ctx_step(&c, "create /targets in");
    if ((g = make_group(&c, h->file, "targets")) < 0 ||
        put_scalar_attr(&c, g, "n_targets", H5T_STD_U64LE, H5T_NATIVE_UINT64,
                        &n64) != 0)
        goto out;
    for (int k = 0; nt > 0 && k < TC_N; k++) {
        const void *v = target_column(k, t, nt, res, quantity, met, sv, nv);
        if (put_target_column(&c, g, &tcols[k], tcols[k].rank == 1 ? d1 : d2,
                              v) != 0 ||
            (k == TC_TARGET && make_scale(&c, g, "target", "target") != 0))
            goto out;
    }
    ctx_step(&c, "attach the dimension scales in /targets of");
    /* the one-dimensional columns first: the order of /targets/target's
     * REFERENCE_LIST */
    for (int rank = 1; nt > 0 && rank <= 2; rank++)
        for (int k = 0; k < TC_N; k++)
            if (k != TC_TARGET && tcols[k].rank == rank &&
                attach_scales(&c, g, tcols[k].name, rank, h->file,
                              tdim + 2 - rank) != 0)
                goto out;
    if (nt > 0 && nc > 0 && cres != NULL &&
        put_by_county(&c, g, h->file, nt, counties, nc, cres, nv) != 0)
        goto out;
    rc = flush(&c, h->file);
out:
    ctx_done(&c, rc, err);
    tw_h5u_close(&g);
    free(sv);
    free(nv);
    return rc;
}

/*
 * Close the partial file and rename it to its final name. Refuses (and
 * leaves "<path>.partial" in place) unless every replicate and the summary
 * were written, so a file at <path> is always complete. Frees h.
 */
/*
 * twsim merge: the rows of a slice file, part by part, into the partial
 * file of the whole run at replicates first .. first + n - 1 (n: the
 * slice's row count), then their done flags. A part of h that src lacks
 * (or has in another shape) is TW_EINPUT: the slice was run with other
 * options. Slabs of SEAL_SLAB replicates keep the memory flat.
 */
int tw_h5_copy_slice(tw_h5_out *h, const char *src, size_t first,
                     tw_error *err)
{
    h5ctx c = { .file = src };
    hid_t f = H5I_INVALID_HID, d = H5I_INVALID_HID;
    hid_t fs = H5I_INVALID_HID, ts = H5I_INVALID_HID;
    hid_t ms = H5I_INVALID_HID;
    double *buf = NULL;
    unsigned char *ones = NULL;
    size_t n = 0;
    int rc = TW_EFAIL;

    ctx_step(&c, "open");
    if (h5_setup() < 0 ||
        (f = H5Fopen(src, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0 ||
        (d = H5Dopen2(f, part_path[PART_REGION], H5P_DEFAULT)) < 0 ||
        (fs = H5Dget_space(d)) < 0)
        goto out;
    hsize_t ext[4];
    if (H5Sget_simple_extent_ndims(fs) != 3 ||
        H5Sget_simple_extent_dims(fs, ext, NULL) < 0)
        goto out;
    n = (size_t)ext[0];
    tw_h5u_close(&fs);
    tw_h5u_close(&d);
    if (first > h->n_reps || n > h->n_reps - first) {
        rc = tw_error_set(err, TW_EINPUT, "%s: its %zu replicates from %zu "
                          "do not fit the %zu of the run", src, n, first,
                          h->n_reps);
        c.reported = 1;
        goto out;
    }
    row_shape r = h->shape;
    r.n_reps = n;
    size_t per = r.n_years * r.width;
    if ((buf = malloc((SEAL_SLAB * per > 0 ? SEAL_SLAB * per : 1) *
                      sizeof *buf)) == NULL ||
        (ones = malloc(n > 0 ? n : 1)) == NULL) {
        ctx_fail(&c, err, "out of memory reading %s", src);
        goto out;
    }
    memset(ones, 1, n > 0 ? n : 1);
    for (int p = 0; p < N_PARTS; p++) {
        int rank;
        hsize_t dims[4];
        size_t col0, cols;
        if (!part_dims(&r, p, &rank, dims, &col0, &cols) || h->part[p] < 0)
            continue;
        ctx_step(&c, "read %s from", part_path[p]);
        if (H5Lexists(f, p == PART_REGION ? part_path[p]
                             : p == PART_COUNTY ? "/by_county"
                                                : "/schools",
                      H5P_DEFAULT) <= 0 ||
            (p != PART_REGION && H5Lexists(f, part_path[p], H5P_DEFAULT) <= 0)) {
            rc = tw_error_set(err, TW_EINPUT, "%s has no %s: it was run "
                              "with other options than the other parts "
                              "(--no-counties, --schools)", src,
                              part_path[p]);
            c.reported = 1;
            goto out;
        }
        if ((d = H5Dopen2(f, part_path[p], H5P_DEFAULT)) < 0)
            goto out;
        if (check_extent(&c, d, rank, dims) != 0) {
            rc = tw_error_set(err, TW_EINPUT, "%s: %s has another shape "
                              "than the run's (%s)", src, part_path[p],
                              c.detail);
            c.reported = 1;
            goto out;
        }
        if ((fs = H5Dget_space(d)) < 0 ||
            (ts = H5Dget_space(h->part[p])) < 0)
            goto out;
        for (size_t r0 = 0; r0 < n; r0 += SEAL_SLAB) {
            size_t k = n - r0 < SEAL_SLAB ? n - r0 : SEAL_SLAB;
            hsize_t start[4] = { r0, 0, 0, 0 }, to[4] = { first + r0, 0, 0,
                                                          0 };
            hsize_t count[4];
            memcpy(count, dims, sizeof count);
            count[0] = k;
            ctx_step(&c, "copy %s of replicates %zu-%zu from", part_path[p],
                     r0, r0 + k - 1);
            if ((ms = H5Screate_simple(rank, count, NULL)) < 0 ||
                H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count,
                                    NULL) < 0 ||
                H5Sselect_hyperslab(ts, H5S_SELECT_SET, to, NULL, count,
                                    NULL) < 0 ||
                H5Dread(d, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) < 0 ||
                H5Dwrite(h->part[p], H5T_NATIVE_DOUBLE, ms, ts, H5P_DEFAULT,
                         buf) < 0 ||
                tw_h5u_release(&ms) < 0)
                goto out;
        }
        TW_H5U_CLOSE(&fs, &ts, &d);
    }
    /* the rows reach the file before their flags (tw_h5_write_replicates) */
    c.file = h->partial;
    if (flush(&c, h->file) != TW_OK)
        goto out;
    ctx_step(&c, "set /replicates/done of %zu replicates in", n);
    if (n > 0) {
        hsize_t start[1] = { first }, count[1] = { n };
        if ((ts = H5Dget_space(h->done)) < 0 ||
            H5Sselect_hyperslab(ts, H5S_SELECT_SET, start, NULL, count,
                                NULL) < 0 ||
            write_selected(h->done, H5T_NATIVE_UINT8, ts, 1, count,
                           H5P_DEFAULT, ones) != 0)
            goto out;
    }
    if (flush(&c, h->file) != TW_OK)
        goto out;
    memset(h->written + first, 1, n);
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    TW_H5U_CLOSE(&ms, &fs, &ts, &d, &f);
    free(buf);
    free(ones);
    return rc;
}

int tw_h5_finish(tw_h5_out *h, tw_error *err)
{
    h5ctx c = { .file = h->partial };
    int rc = TW_EFAIL;
    size_t missing = 0;

    for (size_t r = 0; r < h->n_reps; r++)
        missing += !h->written[r];
    if (missing > 0 || !h->have_summary) {
        ctx_fail(&c, err, "internal: %s is incomplete (%zu of %zu replicates "
                 "missing%s); left as %s", h->path, missing, h->n_reps,
                 h->have_summary ? "" : ", no summary", h->partial);
        goto out;
    }
    ctx_step(&c, "close");
    c.file = h->tmp;
    if (tw_h5u_release(&h->done) < 0)
        goto out;
    for (int p = 0; p < N_PARTS; p++)
        if (tw_h5u_release(&h->part[p]) < 0)
            goto out;
    /* the labels are an aid to readers, not the result: a dataset that
     * cannot be labelled stays as it was (tests/xarray_check.py finds it),
     * and a write that failed shows when the file is flushed */
    (void)tw_h5_label(h->file);
    if (H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0)
        goto out;
    herr_t closed = H5Fclose(h->file);
    h->file = H5I_INVALID_HID;
    if (closed < 0)
        goto out;
    if (tw_output_commit(h->tmp, h->path, err) != TW_OK) {
        c.reported = 1;
        goto out;
    }
    h->tmp_ours = 0;
    /* a kill before this leaves a complete scratch file next to the
     * result: --resume rebuilds the same result from it */
    unlink(h->partial);
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    if (rc != TW_OK && h->tmp_ours)
        unlink(h->tmp);
    handle_free(h);
    return rc;
}

/* Is the open file f the same slice of its ensemble as meta (or, both,
 * a whole run)? Its slice_first and slice_of against meta's. */
static int same_slice(hid_t f, const tw_h5_meta *meta)
{
    uint64_t first = 0, of = 0;
    htri_t has = H5Aexists(f, "slice_of");
    if (has < 0)
        return 0;
    if (has == 0)
        return meta->slice_of == 0;
    if (tw_h5u_read_num_attr(f, "slice_first", H5T_NATIVE_UINT64, &first,
                             NULL, 0) != 0 ||
        tw_h5u_read_num_attr(f, "slice_of", H5T_NATIVE_UINT64, &of, NULL,
                             0) != 0)
        return 0;
    return first == meta->slice_first && of == meta->slice_of;
}

/*
 * Is the open file `f` (c->file) a run of `meta`: the same format version,
 * seed, effective config and shape (replicates, years, metrics)? TW_OK,
 * TW_EINPUT when it is another run (reported), TW_EFAIL when it cannot be
 * read (left to the caller to report from the HDF5 stack).
 */
static int same_run(h5ctx *c, hid_t f, const tw_h5_meta *meta, tw_error *err)
{
    int version = 0, rc = TW_EFAIL;
    uint64_t seed = 0;
    char **eff = NULL;
    size_t neff = 0;
    hid_t d = H5I_INVALID_HID;
    ctx_step(c, "read the root attributes of");
    if (get_num_attr(c, f, "format_version", H5T_NATIVE_INT, &version) != 0 ||
        get_num_attr(c, f, "seed", H5T_NATIVE_UINT64, &seed) != 0)
        goto out;
    ctx_step(c, "read /config/effective from");
    if (get_strings(c, f, "/config/effective", &eff, &neff) != 0)
        goto out;
    ctx_step(c, "open /trajectories in");
    if ((d = H5Dopen2(f, "/trajectories", H5P_DEFAULT)) < 0)
        goto out;
    h5ctx shape = { .file = c->file }; /* a mismatch is not an error here */
    row_shape r = shape_of(meta);
    int same_shape = 1;
    for (int p = 0; p < N_PARTS; p++) {
        int rank;
        hsize_t dims[4];
        size_t col0, cols;
        int on = part_dims(&r, p, &rank, dims, &col0, &cols);
        if (p == PART_REGION) {
            same_shape = check_extent(&shape, d, rank, dims) == 0;
            continue;
        }
        /* the county rows are in both files; the schools' only in the
         * scratch file, but the /school dimension in both */
        const char *mark = p == PART_COUNTY ? "/by_county" : "/schools";
        int has = H5Lexists(f, mark, H5P_DEFAULT) > 0;
        hid_t q = H5I_INVALID_HID;
        if (has != on)
            same_shape = 0;
        else if (on && p == PART_COUNTY &&
                 ((q = H5Dopen2(f, part_path[p], H5P_DEFAULT)) < 0 ||
                  check_extent(&shape, q, rank, dims) != 0))
            same_shape = 0;
        else if (on && p == PART_SCHOOL &&
                 ((q = H5Dopen2(f, "/schools/school", H5P_DEFAULT)) < 0 ||
                  check_extent(&shape, q, 1, dims + 2) != 0))
            same_shape = 0;
        tw_h5u_close(&q);
    }
    if (!same_slice(f, meta))
        same_shape = 0;
    if (version != TW_H5_FORMAT_VERSION || seed != meta->seed || neff != 1 ||
        strcmp(eff[0], meta->config_effective ? meta->config_effective
                                              : "") != 0 || !same_shape) {
        rc = tw_error_set(err, TW_EINPUT, "cannot resume %s: it was written "
                          "by another %s; remove it, or run without --resume "
                          "to start again", c->file,
                          version != TW_H5_FORMAT_VERSION
                          ? "engine version (format)"
                          : seed != meta->seed ? "seed"
                          : !same_shape ? "replicate count (or years, "
                                          "metrics, counties, --schools, "
                                          "--replicates slice)"
                                        : "config");
        c->reported = 1;
        goto out;
    }
    rc = TW_OK;
out:
    tw_h5u_close(&d);
    for (size_t i = 0; eff && i < neff; i++)
        free(eff[i]);
    free(eff);
    return rc;
}

int tw_h5_check_complete(const char *path, const tw_h5_meta *meta,
                         tw_error *err)
{
    h5ctx c = { .file = path };
    hid_t f = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    if (h5_setup() < 0)
        goto out;
    ctx_step(&c, "open");
    if (H5Fis_hdf5(path) <= 0 || (f = H5Fopen(path, H5F_ACC_RDONLY,
                                             H5P_DEFAULT)) < 0 ||
        H5Aexists(f, "format_version") <= 0) {
        rc = tw_error_set(err, TW_EINPUT, "cannot resume %s: it is not a "
                          "twsim output file; give another file name with "
                          "-o", path);
        c.reported = 1;
        goto out;
    }
    rc = same_run(&c, f, meta, err);
out:
    ctx_done(&c, rc, err);
    tw_h5u_close(&f);
    return rc;
}

/* Reopen an interrupted run's partial file (see tw_h5.h). */
int tw_h5_resume(const char *path, const tw_h5_meta *meta, tw_h5_out **out,
                 unsigned char *done, double *traj, tw_error *err)
{
    h5ctx c = { .file = path };
    tw_h5_out *h = NULL;
    int rc = TW_EFAIL;
    double *all = NULL;
    unsigned char *flags = NULL;
    hid_t fapl = H5I_INVALID_HID;

    *out = NULL;
    if (h5_setup() < 0)
        goto out;
    if ((h = handle_new(path, meta)) == NULL) {
        ctx_fail(&c, err, "out of memory resuming %s.partial", path);
        goto out;
    }
    c.file = h->partial;

    ctx_step(&c, "open (to resume)");
    if ((fapl = writer_fapl()) < 0 ||
        (h->file = H5Fopen(h->partial, H5F_ACC_RDWR, fapl)) < 0)
        goto out;
    if ((rc = same_run(&c, h->file, meta, err)) != TW_OK)
        goto out;
    rc = TW_EFAIL;
    ctx_step(&c, "read /trajectories from");
    hsize_t dims[3] = { h->n_reps, h->n_years, h->n_metrics };
    if (traj != NULL && h->shape.width != h->n_metrics) {
        ctx_fail(&c, err, "internal: %s: rows with county or school parts "
                 "are read back with tw_h5_read_columns", h->partial);
        goto out;
    }
    if (traj != NULL) {
        if ((all = get_array(&c, h->file, "/trajectories", H5T_NATIVE_DOUBLE,
                             3, dims)) == NULL)
            goto out;
    } else if ((h->part[PART_REGION] = H5Dopen2(h->file, "/trajectories",
                                   H5P_DEFAULT)) < 0 ||
               check_extent(&c, h->part[PART_REGION], 3, dims) != 0) {
        /* the rows stay on disk (tw_h5_read_columns); only the shape is
         * checked */
        goto out;
    }
    hsize_t dd[1] = { h->n_reps };
    ctx_step(&c, "read /replicates/done from");
    if ((flags = get_array(&c, h->file, "/replicates/done", H5T_NATIVE_UCHAR,
                           1, dd)) == NULL)
        goto out;
    size_t len = h->n_years * h->n_metrics;
    for (size_t r = 0; r < h->n_reps; r++) {
        done[r] = h->written[r] = flags[r] != 0;
        if (done[r] && traj != NULL)
            memcpy(traj + r * len, all + r * len, len * sizeof *traj);
    }
    ctx_step(&c, "remove the old summary from");
    static const char *const stale[2] = { "/summary", "/targets" };
    for (int i = 0; i < 2; i++) {
        htri_t e = H5Lexists(h->file, stale[i], H5P_DEFAULT);
        if (e < 0 || (e > 0 && H5Ldelete(h->file, stale[i], H5P_DEFAULT) < 0))
            goto out;
    }
    ctx_step(&c, "open /trajectories in");
    if ((h->part[PART_REGION] < 0 &&
         (h->part[PART_REGION] = H5Dopen2(h->file, "/trajectories",
                                          H5P_DEFAULT)) < 0) ||
        (h->done = H5Dopen2(h->file, "/replicates/done", H5P_DEFAULT)) < 0)
        goto out;
    for (int p = PART_COUNTY; p < N_PARTS; p++) {
        int rank;
        hsize_t pd[4];
        size_t col0, cols;
        if (!part_dims(&h->shape, p, &rank, pd, &col0, &cols))
            continue;
        ctx_step(&c, "open %s in", part_path[p]);
        if ((h->part[p] = H5Dopen2(h->file, part_path[p], H5P_DEFAULT)) < 0 ||
            check_extent(&c, h->part[p], rank, pd) != 0)
            goto out;
    }
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    free(all);
    free(flags);
    tw_h5u_close(&fapl);
    if (rc == TW_OK)
        *out = h;
    else if (h != NULL)
        handle_free(h); /* never deletes: the partial file is the user's */
    return rc;
}

int tw_h5_suspend(tw_h5_out *h, tw_error *err)
{
    if (h == NULL)
        return TW_OK;
    h5ctx c = { .file = h->partial };
    int rc = ctx_done(&c, flush(&c, h->file), err);
    handle_free(h);
    return rc;
}

/* Close and delete the partial file (only if this handle created it) and
 * the file being built under the .tmp name. */
void tw_h5_abort(tw_h5_out *h)
{
    if (h == NULL)
        return;
    int created = h->created, tmp_ours = h->tmp_ours;
    char *partial = h->partial, *tmp = h->tmp;
    h->partial = h->tmp = NULL;
    handle_free(h);
    if (created && partial != NULL)
        unlink(partial);
    if (tmp_ours && tmp != NULL)
        unlink(tmp);
    free(partial);
    free(tmp);
}

#ifdef TW_MPI
/* ------------------------------------------------- parallel (MPI) writing */

/*
 * A partial file opened on every rank of an MPI communicator with the
 * MPI-IO driver, to write replicate rows collectively (tw_mpi.h). The file
 * and its layout come from tw_h5_create or tw_h5_resume on one rank; the
 * ranks only fill rows of /trajectories and /replicates/done.
 *
 * /trajectories is deflated: HDF5 1.10 writes filtered datasets in
 * parallel only collectively, so every rank takes part in every write,
 * selecting its own rows or none. Each chunk is one replicate and each
 * replicate belongs to one rank, so no chunk is ever shared.
 */
struct tw_h5_par {
    hid_t file, done, dxpl;
    hid_t part[N_PARTS];
    char *partial;            /* owned: "<path>.partial" */
    row_shape shape;
};

static void par_free(tw_h5_par *p)
{
    TW_H5U_CLOSE(&p->dxpl, &p->done, &p->part[PART_REGION],
                 &p->part[PART_COUNTY], &p->part[PART_SCHOOL], &p->file);
    free(p->partial);
    free(p);
}

/*
 * Give every replicate not yet written its chunk of /trajectories, filled
 * with NaN (its fill value), through the serial writer h. HDF5 1.10.8
 * deadlocks in a collective write of filtered chunks that the file's chunk
 * index lacks (as in the partial file of an interrupted run); with every
 * chunk allocated, the parallel writes only replace chunks.
 */
int tw_h5_preallocate(tw_h5_out *h, tw_error *err)
{
    h5ctx c = { .file = h->partial };
    int rc = TW_EFAIL;
    const size_t block = 64;   /* rows per write */
    size_t len = h->n_years * h->shape.width;
    double *nan = malloc(block * len * sizeof *nan);
    size_t reps[64];

    if (nan == NULL) {
        ctx_fail(&c, err, "out of memory preparing %s", h->partial);
        goto out;
    }
    for (size_t i = 0; i < block * len; i++)
        nan[i] = NAN;
    ctx_step(&c, "allocate the rows of /trajectories in");
    for (size_t r = 0; r < h->n_reps;) {
        if (h->written[r]) {
            r++;
            continue;
        }
        size_t k = 0;
        while (k < block && r + k < h->n_reps && !h->written[r + k]) {
            reps[k] = r + k;
            k++;
        }
        if (put_rows(h->part, &h->shape, k, reps, nan, H5P_DEFAULT) != 0)
            goto out;
        r += k;
    }
    rc = flush(&c, h->file);
out:
    ctx_done(&c, rc, err);
    free(nan);
    return rc;
}

/* Open "<path>.partial" on every rank of comm (collective). */
int tw_h5_par_open(const char *path, MPI_Comm comm, const tw_h5_meta *meta,
                   tw_h5_par **out, tw_error *err)
{
    h5ctx c = { .file = path };
    tw_h5_par *p = NULL;
    hid_t fapl = H5I_INVALID_HID, space = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    size_t plen = strlen(path) + sizeof ".partial";

    *out = NULL;
    ctx_step(&c, "set up parallel HDF5 to write");
    if (h5_setup() < 0)
        goto out;
    if ((p = calloc(1, sizeof *p)) == NULL ||
        (p->partial = malloc(plen)) == NULL) {
        ctx_fail(&c, err, "out of memory opening %s.partial", path);
        goto out;
    }
    p->file = p->done = p->dxpl = H5I_INVALID_HID;
    for (int i = 0; i < N_PARTS; i++)
        p->part[i] = H5I_INVALID_HID;
    p->shape = shape_of(meta);
    snprintf(p->partial, plen, "%s.partial", path);
    c.file = p->partial;

    ctx_step(&c, "open (MPI-IO)");
    /* Metadata is read by one rank and broadcast, and written collectively,
     * instead of every rank reading the same bytes from a parallel file
     * system. */
    if ((fapl = H5Pcreate(H5P_FILE_ACCESS)) < 0)
        goto out;
    if (H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL) < 0)
        goto out;
    if (H5Pset_all_coll_metadata_ops(fapl, 1) < 0 ||
        H5Pset_coll_metadata_write(fapl, 1) < 0)
        goto out;
    if ((p->file = H5Fopen(p->partial, H5F_ACC_RDWR, fapl)) < 0)
        goto out;
    ctx_step(&c, "open /replicates/done in");
    if ((p->done = H5Dopen2(p->file, "/replicates/done", H5P_DEFAULT)) < 0)
        goto out;
    for (int i = 0; i < N_PARTS; i++) {
        int rank;
        hsize_t dims[4];
        size_t col0, cols;
        if (!part_dims(&p->shape, i, &rank, dims, &col0, &cols))
            continue;
        ctx_step(&c, "open %s in", part_path[i]);
        if ((p->part[i] = H5Dopen2(p->file, part_path[i], H5P_DEFAULT)) < 0 ||
            check_extent(&c, p->part[i], rank, dims) != 0)
            goto out;
    }
    if ((p->dxpl = H5Pcreate(H5P_DATASET_XFER)) < 0)
        goto out;
    if (H5Pset_dxpl_mpio(p->dxpl, H5FD_MPIO_COLLECTIVE) < 0)
        goto out;
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    TW_H5U_CLOSE(&space, &fapl);
    if (rc == TW_OK)
        *out = p;
    else if (p != NULL)
        par_free(p);
    return rc;
}

/* Select (op) in `space`, of rank 1 with the replicate first, the
 * whole rows r0 .. r0 + k - 1; row[] is the extent of the other two
 * dimensions (HDF5 reads only as many as the space has). */
static int select_block(hid_t space, H5S_seloper_t op, size_t r0, size_t k,
                        const hsize_t *row)
{
    hsize_t start[3] = { r0, 0, 0 };
    hsize_t count[3] = { k, row[0], row[1] };
    return H5Sselect_hyperslab(space, op, start, NULL, count, NULL) < 0 ? -1
                                                                        : 0;
}

/*
 * Select in `space` (a dataset's, of rank 1 or 3, first dimension =
 * replicate) the whole rows reps[0..n), ascending: one hyperslab per run
 * of consecutive replicates; row[] is the extent of the other two
 * dimensions (HDF5 reads only as many as the space has). n == 0 selects
 * nothing.
 */
static int select_rows(hid_t space, size_t n, const size_t *reps,
                       const hsize_t *row)
{
    if (H5Sselect_none(space) < 0)
        return -1;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && reps[j] == reps[j - 1] + 1)
            j++;
        if (select_block(space, i == 0 ? H5S_SELECT_SET : H5S_SELECT_OR,
                         reps[i], j - i, row) < 0)
            return -1;
        i = j;
    }
    return 0;
}

/* Write the rows reps[0..n) of dataset d (rank 1 or 3, the replicate
 * first) from buf, packed, collectively. */
static int par_put_rows(const tw_h5_par *p, hid_t d, hid_t mt, int rank,
                        size_t n, const size_t *reps, const void *buf)
{
    hsize_t row[2] = { p->shape.n_years, p->shape.width };
    hsize_t mdims[3] = { n ? n : 1, row[0], row[1] };
    hid_t fspace = H5Dget_space(d);
    int ok = fspace >= 0 && select_rows(fspace, n, reps, row) == 0 &&
             write_selected(d, mt, fspace, rank, mdims, p->dxpl, buf) == 0;
    return tw_h5u_finish(&fspace, ok);
}

/*
 * Collective: every rank writes its replicates reps[0..n) (strictly
 * ascending; n may be 0) from rows, packed [n][n_years][n_metrics], then
 * marks them done. Flushed after the trajectories and again after the
 * flags, so that done[r] == 1 on disk implies row r is on disk.
 */
int tw_h5_par_write(tw_h5_par *p, size_t n, const size_t *reps,
                    const double *rows, tw_error *err)
{
    h5ctx c = { .file = p->partial };
    int rc = TW_EFAIL;
    unsigned char *ones = calloc(n ? n : 1, 1);
    double dummy = 0;

    if (ones == NULL) {
        ctx_fail(&c, err, "out of memory writing %s", p->partial);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        if (reps[i] >= p->shape.n_reps ||
            (i > 0 && reps[i] <= reps[i - 1])) {
            ctx_fail(&c, err, "internal: replicates to write to %s are not "
                     "ascending and in range", p->partial);
            goto out;
        }
        ones[i] = 1;
    }
    ctx_step(&c, "write %zu replicates to /trajectories in", n);
    if (put_rows(p->part, &p->shape, n, reps, n ? rows : &dummy,
                 p->dxpl) != 0)
        goto out;
    if (flush(&c, p->file) != TW_OK)
        goto out;
    ctx_step(&c, "set /replicates/done of %zu replicates in", n);
    if (par_put_rows(p, p->done, H5T_NATIVE_UINT8, 1, n, reps, ones) != 0)
        goto out;
    rc = flush(&c, p->file);
out:
    ctx_done(&c, rc, err);
    free(ones);
    return rc;
}

/* Close the parallel file on every rank (collective). Frees p; safe on
 * NULL. */
int tw_h5_par_close(tw_h5_par *p, tw_error *err)
{
    if (p == NULL)
        return TW_OK;
    h5ctx c = { .file = p->partial };
    ctx_step(&c, "close");
    int rc = tw_h5u_release(&p->dxpl) < 0 || tw_h5u_release(&p->done) < 0 ||
                     tw_h5u_release(&p->part[PART_REGION]) < 0 ||
                     tw_h5u_release(&p->part[PART_COUNTY]) < 0 ||
                     tw_h5u_release(&p->part[PART_SCHOOL]) < 0 ||
                     tw_h5u_release(&p->file) < 0
                 ? TW_EFAIL
                 : TW_OK;
    ctx_done(&c, rc, err);
    par_free(p);
    return rc;
}
#endif /* TW_MPI */

/* ---------------------------------------------------------------- reading */

void tw_h5_data_free(tw_h5_data *d)
{
    if (d == NULL)
        return;
    tw_strings_free(d->metric_names, d->n_metrics);
    tw_strings_free(d->metric_units, d->n_metrics);
    tw_strings_free(d->metric_labels, d->n_metrics);
    tw_strings_free(d->overrides, d->n_overrides);
    tw_summary_free(&d->summary);
    tw_targets_free(d->targets, d->n_targets);
    tw_strings_free(d->county_names, d->n_counties);
    tw_summary_free(&d->county_summary);
    tw_strings_free(d->school_county, d->n_schools);
    tw_strings_free(d->school_stage, d->n_schools);
    tw_strings_free(d->school_locality, d->n_schools);
    TW_FREE(d->school_mean, d->school_p05, d->school_p95, d->school_p_short);
    TW_FREE(d->file_path, d->group);
    TW_FREE(d->years, d->trajectories, d->done, d->mode, d->engine_version,
            d->git_commit, d->config_text, d->config_path, d->region_name, d);
}

/* Readers of one attribute or dataset (tw_h5util.h), with the detail of a
 * failure kept in c. */
static int get_str_attr(h5ctx *c, hid_t loc, const char *name, char **out)
{
    return grabbed(c, tw_h5u_read_str_attr(loc, name, out, c->detail,
                                           sizeof c->detail));
}

static int get_num_attr(h5ctx *c, hid_t loc, const char *name, hid_t mt,
                        void *out)
{
    return grabbed(c, tw_h5u_read_num_attr(loc, name, mt, out, c->detail,
                                           sizeof c->detail));
}

static int get_strings(h5ctx *c, hid_t loc, const char *name, char ***out,
                       size_t *n)
{
    return grabbed(c, tw_h5u_read_strings(loc, name, out, n, c->detail,
                                          sizeof c->detail));
}

static void *get_array(h5ctx *c, hid_t loc, const char *name, hid_t mt,
                       int rank, hsize_t *dims)
{
    void *v = tw_h5u_read_array(loc, name, mt, rank, dims, c->detail,
                                sizeof c->detail);
    grabbed(c, v == NULL ? -1 : 0);
    return v;
}
/* 1 if the link at `path` (absolute, one or two levels) exists, 0 if not,
 * -1 on error. */
static int link_exists(hid_t file, const char *group, const char *path)
{
    htri_t e;
    if ((e = H5Lexists(file, group, H5P_DEFAULT)) <= 0)
        return e < 0 ? -1 : 0;
    if (path == NULL)
        return 1;
    if ((e = H5Lexists(file, path, H5P_DEFAULT)) < 0)
        return -1;
    return e > 0;
}

/* /targets/<name>, n numbers read as memory type mt, in a new buffer. */
static void *get_target_column(h5ctx *c, hid_t file, const char *name,
                               hid_t mt, size_t n)
{
    char path[64];
    hsize_t dims[1] = { n };
    snprintf(path, sizeof path, "targets/%s", name);
    ctx_step(c, "read /%s from", path);
    return get_array(c, file, path, mt, 1, dims);
}

/* The target definitions of /targets into d (none when the group or its
 * datasets are absent, e.g. in a .partial file). */
static int read_targets(h5ctx *c, hid_t file, tw_h5_data *d)
{
    int e = link_exists(file, "targets", "targets/name");
    if (e <= 0)
        return e;
    static const char *const sname[7] = {
        "targets/name", "targets/metric", "targets/kind", "targets/op",
        "targets/quote", "targets/source", "targets/note" };
    char **sv[9] = { NULL }; /* the 7 of sname, then scope and county */
    size_t n = 0, nk = 0;
    double *value = NULL;
    int *year = NULL, *from = NULL;
    unsigned char *nat = NULL;
    int rc = -1;
    for (int k = 0; k < 7; k++) {
        ctx_step(c, "read %s from", sname[k]);
        if (get_strings(c, file, sname[k], &sv[k], k == 0 ? &n : &nk) != 0)
            goto out;
        if (k > 0 && nk != n) {
            snprintf(c->detail, sizeof c->detail, "%zu entries, expected %zu",
                     nk, n);
            goto out;
        }
    }
    if ((value = get_target_column(c, file, "value", H5T_NATIVE_DOUBLE,
                                   n)) == NULL ||
        (year = get_target_column(c, file, "year", H5T_NATIVE_INT,
                                  n)) == NULL ||
        (from = get_target_column(c, file, "from", H5T_NATIVE_INT,
                                  n)) == NULL ||
        (nat = get_target_column(c, file, "national", H5T_NATIVE_UCHAR,
                                 n)) == NULL)
        goto out;
    /* scope and county: absent in files written before county targets
     * (every target the region's) */
    int have_scope = link_exists(file, "targets/scope", "targets/county");
    if (have_scope < 0)
        goto out;
    for (int k = 0; have_scope && k < 2; k++) {
        ctx_step(c, "read %s from", k ? "targets/county" : "targets/scope");
        if (get_strings(c, file, k ? "targets/county" : "targets/scope",
                        &sv[7 + k], &nk) != 0)
            goto out;
        if (nk != n) {
            snprintf(c->detail, sizeof c->detail, "%zu entries, expected %zu",
                     nk, n);
            goto out;
        }
    }
    d->targets = calloc(n ? n : 1, sizeof *d->targets);
    if (d->targets == NULL)
        goto out;
    for (size_t i = 0; i < n; i++) {
        tw_target *t = &d->targets[i];
        t->name = sv[0][i];
        t->metric = sv[1][i];
        t->quote = sv[4][i];
        t->source = sv[5][i];
        t->note = sv[6][i];
        sv[0][i] = sv[1][i] = sv[4][i] = sv[5][i] = sv[6][i] = NULL;
        t->kind = TW_TARGET_LEVEL;
        for (int k = 0; k < TW_N_TARGET_KINDS; k++)
            if (strcmp(sv[2][i], tw_target_kind_names[k]) == 0)
                t->kind = (tw_target_kind)k;
        t->op = TW_OP_GE;
        for (int k = 0; k < TW_N_OPS; k++)
            if (strcmp(sv[3][i], tw_op_names[k]) == 0)
                t->op = (tw_op)k;
        t->value = value[i];
        t->year = year[i];
        t->from = from[i];
        t->national = nat[i];
        for (int k = 0; have_scope && k < TW_N_SCOPES; k++)
            if (strcmp(sv[7][i], tw_target_scope_names[k]) == 0)
                t->scope = (tw_target_scope)k;
        if (have_scope && t->scope == TW_SCOPE_COUNTY) {
            t->county = sv[8][i];
            sv[8][i] = NULL;
        }
        snprintf(t->where, sizeof t->where, "%s:/targets", c->file);
        d->n_targets = i + 1;
    }
    rc = 0;
out:
    for (int k = 0; k < 9; k++) {
        for (size_t i = 0; sv[k] && i < n; i++)
            free(sv[k][i]);
        free(sv[k]);
    }
    free(value);
    free(year);
    free(from);
    free(nat);
    return rc;
}

/* The labels at `name` (strings), which must have n entries; *out NULL
 * when n is 0. */
static int get_labels(h5ctx *c, hid_t loc, const char *name, size_t n,
                      char ***out)
{
    size_t got = 0;
    ctx_step(c, "read /%s from", name);
    if (get_strings(c, loc, name, out, &got) != 0)
        return -1;
    if (got != n) {
        snprintf(c->detail, sizeof c->detail, "%zu entries, expected %zu",
                 got, n);
        tw_strings_free(*out, got);   /* d's free counts n, not got */
        *out = NULL;
        return -1;
    }
    return 0;
}

/* The county names and /by_county/summary, and the /schools labels and
 * summary, into d when the file has them (full mode; --schools). The
 * trajectories of the counties and schools are left on disk. */
static int read_places(h5ctx *c, hid_t loc, tw_h5_data *d)
{
    int e = link_exists(loc, "by_county", "by_county/county");
    if (e < 0)
        return -1;
    if (e > 0) {
        size_t n = 0;
        ctx_step(c, "read /by_county/county from");
        if (get_strings(c, loc, "by_county/county", &d->county_names,
                        &n) != 0)
            return -1;
        d->n_counties = n;
        static const char *const spath[5] = {
            "by_county/summary/mean", "by_county/summary/sd",
            "by_county/summary/p05", "by_county/summary/p50",
            "by_county/summary/p95" };
        tw_summary *s = &d->county_summary;
        double **sdst[5] = { &s->mean, &s->sd, &s->p05, &s->p50, &s->p95 };
        for (int i = 0; i < 5 && n > 0; i++) {
            if ((e = link_exists(loc, "by_county/summary", spath[i])) < 0)
                return -1;
            if (e == 0)
                continue;
            hsize_t dims[3] = { d->n_years, n, d->n_metrics };
            ctx_step(c, "read /%s from", spath[i]);
            if ((*sdst[i] = get_array(c, loc, spath[i], H5T_NATIVE_DOUBLE,
                                      3, dims)) == NULL)
                return -1;
            s->n_years = d->n_years;
            s->n_metrics = n * d->n_metrics;
        }
    }
    if ((e = link_exists(loc, "schools", "schools/county")) <= 0)
        return e;
    size_t n = 0;
    ctx_step(c, "read /schools/county from");
    if (get_strings(c, loc, "schools/county", &d->school_county, &n) != 0)
        return -1;
    d->n_schools = n;
    if (get_labels(c, loc, "schools/stage", n, &d->school_stage) != 0 ||
        get_labels(c, loc, "schools/locality", n, &d->school_locality) != 0)
        return -1;
    static const char *const spath[4] = {
        "schools/surplus_mean", "schools/surplus_p05",
        "schools/surplus_p95", "schools/p_short" };
    double **sdst[4] = { &d->school_mean, &d->school_p05, &d->school_p95,
                         &d->school_p_short };
    for (int i = 0; i < 4 && n > 0; i++) {
        if ((e = link_exists(loc, "schools", spath[i])) < 0)
            return -1;
        if (e == 0)
            continue;
        hsize_t dims[2] = { d->n_years, n };
        ctx_step(c, "read /%s from", spath[i]);
        if ((*sdst[i] = get_array(c, loc, spath[i], H5T_NATIVE_DOUBLE, 2,
                                  dims)) == NULL)
            return -1;
    }
    return 0;
}

/*
 * Read a twsim output file (complete or .partial) into a new tw_h5_data.
 * Missing summary datasets stay NULL (a partial file has none). Files
 * without the format_version root attribute are not twsim output.
 */
int tw_h5_read_group(const char *path, const char *group, tw_h5_data **out,
                     tw_error *err)
{
    h5ctx c = { .file = path };
    tw_h5_data *d = NULL;
    hid_t file = H5I_INVALID_HID, loc = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    htri_t is;
    char **strs = NULL;
    size_t nstr = 0;

    *out = NULL;
    if (tw_file_check_regular(path, err) != TW_OK)
        return err ? err->code : TW_EINPUT;
    ctx_step(&c, "set up HDF5 to read");
    if (h5_setup() < 0)
        goto out;
    if (access(path, R_OK) != 0) {
        ctx_fail(&c, err, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    ctx_step(&c, "open");
    if ((is = H5Fis_hdf5(path)) < 0)
        goto out;
    if (is == 0) {
        ctx_fail(&c, err, "%s is not an HDF5 file, so not a twsim output "
                 "file", path);
        goto out;
    }
    if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0)
        goto out;
    if (group != NULL) {
        ctx_step(&c, "open the group %s in", group);
        if ((loc = H5Gopen2(file, group, H5P_DEFAULT)) < 0)
            goto out;
    } else if ((loc = H5Gopen2(file, "/", H5P_DEFAULT)) < 0) {
        goto out;
    }
    if ((d = calloc(1, sizeof *d)) == NULL ||
        (d->file_path = strdup(path)) == NULL ||
        (group != NULL && (d->group = strdup(group)) == NULL)) {
        ctx_fail(&c, err, "out of memory reading %s", path);
        goto out;
    }

    ctx_step(&c, "read the root attributes of");
    if ((is = H5Aexists(loc, "format_version")) < 0)
        goto out;
    if (is == 0) {
        ctx_fail(&c, err, "%s is not a twsim output file (it has no "
                 "format_version attribute)", path);
        goto out;
    }
    if (get_num_attr(&c, loc, "format_version", H5T_NATIVE_INT,
                     &d->format_version) != 0)
        goto out;
    if (d->format_version < 1 || d->format_version > TW_H5_FORMAT_VERSION) {
        ctx_fail(&c, err, "%s has format_version %d; this twsim reads "
                 "versions 1 to %d", path, d->format_version,
                 TW_H5_FORMAT_VERSION);
        goto out;
    }
    if (get_num_attr(&c, loc, "seed", H5T_NATIVE_UINT64, &d->seed) != 0 ||
        get_str_attr(&c, loc, "mode", &d->mode) != 0 ||
        get_str_attr(&c, loc, "engine_version", &d->engine_version) != 0 ||
        get_str_attr(&c, loc, "git_commit", &d->git_commit) != 0 ||
        get_str_attr(&c, loc, "config_path", &d->config_path) != 0)
        goto out;

    ctx_step(&c, "read /trajectories from");
    {
        hsize_t dims[3] = { 0, 0, 0 };
        if ((d->trajectories = get_array(&c, loc, "trajectories",
                                         H5T_NATIVE_DOUBLE, 3, dims)) == NULL)
            goto out;
        d->n_reps = (size_t)dims[0];
        d->n_years = (size_t)dims[1];
        d->n_metrics = (size_t)dims[2];
    }
    ctx_step(&c, "read /replicates/done from");
    {
        hsize_t dims[1] = { d->n_reps };
        if (d->n_reps == 0 || d->n_years == 0 || d->n_metrics == 0) {
            snprintf(c.detail, sizeof c.detail, "/trajectories is empty");
            goto out;
        }
        if ((d->done = get_array(&c, loc, "replicates/done",
                                 H5T_NATIVE_UINT8, 1, dims)) == NULL)
            goto out;
    }
    ctx_step(&c, "read /years from");
    {
        hsize_t dims[1] = { d->n_years };
        if ((d->years = get_array(&c, loc, "years", H5T_NATIVE_INT, 1,
                                  dims)) == NULL)
            goto out;
    }

    static const char *const mpath[3] = { "metrics/name", "metrics/unit",
                                          "metrics/label" };
    char ***mdst[3] = { &d->metric_names, &d->metric_units,
                        &d->metric_labels };
    for (int i = 0; i < 3; i++) {
        ctx_step(&c, "read %s from", mpath[i]);
        if (get_strings(&c, loc, mpath[i], &strs, &nstr) != 0)
            goto out;
        if (nstr != d->n_metrics) {
            for (size_t k = 0; k < nstr; k++)
                free(strs[k]);
            free(strs);
            snprintf(c.detail, sizeof c.detail, "%zu entries for %zu "
                     "metrics", nstr, d->n_metrics);
            goto out;
        }
        *mdst[i] = strs;
    }

    ctx_step(&c, "read /config/text from");
    if (get_strings(&c, loc, "config/text", &strs, &nstr) != 0)
        goto out;
    d->config_text = nstr > 0 ? strs[0] : strdup("");
    for (size_t k = 1; k < nstr; k++)
        free(strs[k]);
    free(strs);
    if (d->config_text == NULL) {
        snprintf(c.detail, sizeof c.detail, "out of memory");
        goto out;
    }
    ctx_step(&c, "read /config/overrides from");
    if (get_strings(&c, loc, "config/overrides", &d->overrides,
                    &d->n_overrides) != 0)
        goto out;

    ctx_step(&c, "read /summary from");
    {
        static const char *const spath[5] = {
            "summary/mean", "summary/sd", "summary/p05", "summary/p50",
            "summary/p95" };
        double **sdst[5] = { &d->summary.mean, &d->summary.sd,
                             &d->summary.p05, &d->summary.p50,
                             &d->summary.p95 };
        for (int i = 0; i < 5; i++) {
            int e = link_exists(loc, "summary", spath[i]);
            if (e < 0)
                goto out;
            if (e == 0)
                continue;
            hsize_t dims[2] = { d->n_years, d->n_metrics };
            ctx_step(&c, "read %s from", spath[i]);
            if ((*sdst[i] = get_array(&c, loc, spath[i], H5T_NATIVE_DOUBLE,
                                      2, dims)) == NULL)
                goto out;
            d->summary.n_years = d->n_years;
            d->summary.n_metrics = d->n_metrics;
        }
    }
    ctx_step(&c, "read the root attribute region_name from");
    {
        htri_t has = H5Aexists(loc, "region_name");
        if (has < 0)
            goto out;
        if (has > 0 && get_str_attr(&c, loc, "region_name",
                                    &d->region_name) != 0)
            goto out;
        if (has == 0 && (d->region_name = strdup("")) == NULL)
            goto out;
    }
    if (read_targets(&c, loc, d) != 0 || read_places(&c, loc, d) != 0)
        goto out;
    rc = TW_OK;
out:
    if (rc != TW_OK) {
        ctx_grab(&c);
        ctx_report(&c, err);
        tw_h5_data_free(d);
        d = NULL;
    }
    TW_H5U_CLOSE(&loc, &file);
    *out = d;
    return rc;
}

int tw_h5_read(const char *path, tw_h5_data **out, tw_error *err)
{
    return tw_h5_read_group(path, NULL, out, err);
}

int tw_h5_read_county_rows(const char *path, const char *group,
                           size_t *n_counties, char ***names, double **rows,
                           tw_error *err)
{
    h5ctx c = { .file = path };
    hid_t file = H5I_INVALID_HID, loc = H5I_INVALID_HID;
    int rc = TW_EFAIL;
    size_t n = 0;
    *n_counties = 0;
    *names = NULL;
    *rows = NULL;
    ctx_step(&c, "set up HDF5 to read");
    if (h5_setup() < 0)
        goto out;
    ctx_step(&c, "open");
    if ((file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT)) < 0 ||
        (loc = H5Gopen2(file, group ? group : "/", H5P_DEFAULT)) < 0)
        goto out;
    int e = link_exists(loc, "by_county", "by_county/trajectories");
    if (e < 0)
        goto out;
    if (e == 0) {
        rc = TW_OK;
        goto out;
    }
    ctx_step(&c, "read /by_county from");
    hsize_t dims[4] = { 0, 0, 0, 0 };
    if (get_strings(&c, loc, "by_county/county", names, &n) != 0 ||
        (*rows = get_array(&c, loc, "by_county/trajectories",
                           H5T_NATIVE_DOUBLE, 4, dims)) == NULL)
        goto out;
    if (dims[2] != n) {
        snprintf(c.detail, sizeof c.detail, "%zu county names for %llu "
                 "counties", n, (unsigned long long)dims[2]);
        goto out;
    }
    *n_counties = n;
    rc = TW_OK;
out:
    ctx_done(&c, rc, err);
    TW_H5U_CLOSE(&loc, &file);
    if (rc != TW_OK) {
        for (size_t i = 0; *names != NULL && i < n; i++)
            free((*names)[i]);
        free(*names);
        free(*rows);
        *names = NULL;
        *rows = NULL;
        *n_counties = 0;
    }
    return rc;
}
