/*
 * config_guard.c - checks on a config's raw bytes before libconfig 1.5
 * reads them (see config_guard.h for the list and the reasons).
 *
 * The scanner below follows libconfig 1.5's lexer (scanner.l) just far
 * enough to find what it would get wrong: it skips strings and comments,
 * takes names whole (a name may contain digits: "a12"), and matches the
 * number patterns longest first, as flex does:
 *
 *   integer    [-+]?[0-9]+           read with atoi: low 32 bits
 *   integer64  [-+]?[0-9]+L(L)?      read with atoll: saturates
 *   hex        0[Xx][0-9A-Fa-f]+     read with strtoul into an int
 *   hex64      0[Xx][0-9A-Fa-f]+L(L)?
 *   float      [-+]?[0-9]*\.[0-9]*([eE][-+]?[0-9]+)?
 *            | [-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+     read with atof
 *
 * and @include "file" at the start of a line (after blanks), whose path
 * libconfig resolves as include_dir + "/" + file, include_dir being the
 * main config's directory (config.c: parse_file).
 */
#include "config_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* More problems than this are summarised in one line: a binary file would
 * otherwise give thousands. */
#define GUARD_MAX_REPORTS 20
/* libconfig 1.5's MAX_INCLUDE_DEPTH: deeper includes are its to report. */
#define GUARD_MAX_INCLUDE_DEPTH 10

typedef struct guard {
    tw_error *err;
    int rc;            /* TW_OK, TW_EINPUT or TW_EFAIL */
    int reports;       /* problems reported */
    int more;          /* problems past GUARD_MAX_REPORTS */
    size_t total;      /* bytes of every file read so far */
    const char *dir;   /* libconfig's include_dir: "<dir of main>/" */
    tw_file_id **ids;  /* every file read, main first (may be NULL) */
    size_t *n_ids;
} guard;

/* One problem at `where` (a file name, or "--set k=v" with line 0). */
static void bad(guard *g, const char *where, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void bad(guard *g, const char *where, int line, const char *fmt, ...)
{
    if (g->rc == TW_OK)
        g->rc = TW_EINPUT;
    if (g->reports >= GUARD_MAX_REPORTS) {
        g->more++;
        return;
    }
    g->reports++;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (line > 0)
        tw_error_add(g->err, TW_EINPUT, "%s:%d: %s", where, line, what);
    else
        tw_error_add(g->err, TW_EINPUT, "%s: %s", where, what);
}

static void oom(guard *g)
{
    if (g->rc != TW_EFAIL)
        tw_error_add(g->err, TW_EFAIL, "out of memory checking the config");
    g->rc = TW_EFAIL;
}

/* Length of the UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *p)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    unsigned lo = 0x80, hi = 0xBF;
    size_t n;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xF4) {
        /* three bytes from E0, four from F0; the second byte's range is
         * narrower after E0 and F0 (no overlong forms), ED (no UTF-16
         * surrogates) and F4 (nothing above U+10FFFF) */
        n = c >= 0xF0 ? 4 : 3;
        lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
        hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
    } else {
        return 0;
    }
    if (p[1] < lo || p[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (p[i] < 0x80 || p[i] > 0xBF)
            return 0;
    return n;
}

/* Line of the first byte of `text` that is not UTF-8, or 0. */
static int first_bad_utf8(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *end = p + len;
    int line = 1;
    while (p < end) {
        size_t n = utf8_len(p);
        if (n == 0 || n > (size_t)(end - p))
            return line;
        line += *p == '\n';
        p += n;
    }
    return 0;
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }
static bool is_xdigit(char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
static bool is_name_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}
static bool is_name_char(char c)
{
    return is_name_start(c) || is_digit(c) || c == '-' || c == '_';
}

/* Length of an "L" or "LL" suffix at p. */
static size_t l_suffix(const char *p)
{
    return p[0] != 'L' ? 0 : p[1] == 'L' ? 2 : 1;
}

/* Length of an exponent [eE][-+]?[0-9]+ at p, or 0. */
static size_t exponent(const char *p)
{
    if (*p != 'e' && *p != 'E')
        return 0;
    size_t i = 1;
    if (p[i] == '+' || p[i] == '-')
        i++;
    if (!is_digit(p[i]))
        return 0;
    while (is_digit(p[i]))
        i++;
    return i;
}

typedef enum { NUM_NONE, NUM_INT, NUM_INT64, NUM_HEX, NUM_HEX64, NUM_FLOAT }
    num_kind;

/* The longest number token at p (libconfig's patterns, above); its length
 * in *len, or NUM_NONE. */
static num_kind match_number(const char *p, size_t *len)
{
    num_kind kind = NUM_NONE;
    size_t best = 0;
    size_t i = (p[0] == '+' || p[0] == '-') ? 1 : 0;
    size_t d = i;
    while (is_digit(p[d]))
        d++;
    size_t ndig = d - i;
    if (ndig > 0) {
        size_t l = l_suffix(p + d);
        kind = l ? NUM_INT64 : NUM_INT;
        best = d + l;
    }
    if (i == 0 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
        is_xdigit(p[2])) {
        size_t h = 2;
        while (is_xdigit(p[h]))
            h++;
        size_t l = l_suffix(p + h);
        if (h + l > best) {
            kind = l ? NUM_HEX64 : NUM_HEX;
            best = h + l;
        }
    }
    /* float, first form: digits* '.' digits* exponent? */
    if (p[d] == '.') {
        size_t f = d + 1;
        while (is_digit(p[f]))
            f++;
        f += exponent(p + f);
        if (f > best) {
            kind = NUM_FLOAT;
            best = f;
        }
    }
    /* float, second form: digits+ ('.' digits*)? exponent */
    if (ndig > 0) {
        size_t f = d;
        if (p[f] == '.') {
            f++;
            while (is_digit(p[f]))
                f++;
        }
        size_t e = exponent(p + f);
        if (e > 0 && f + e > best) {
            kind = NUM_FLOAT;
            best = f + e;
        }
    }
    *len = best;
    return kind;
}

/* Check one number token; report what libconfig would get wrong. */
static void check_number(guard *g, const char *where, int line,
                         num_kind kind, const char *tok, size_t len)
{
    char t[64];
    int shown = len < 40 ? (int)len : 40;
    snprintf(t, sizeof t, "%.*s%s", shown, tok, len > 40 ? "..." : "");
    char buf[96];
    size_t n = len < sizeof buf - 1 ? len : sizeof buf - 1;
    memcpy(buf, tok, n);
    buf[n] = '\0';
    errno = 0;
    switch (kind) {
    case NUM_INT: {
        long long v = len < sizeof buf - 1 ? strtoll(buf, NULL, 10) : 0;
        if (len >= sizeof buf - 1 || errno == ERANGE)
            bad(g, where, line, "the whole number %s is too large (at most "
                "9223372036854775807)", t);
        else if (v < INT_MIN || v > INT_MAX)
            bad(g, where, line, "the whole number %s does not fit in 32 bits "
                "(libconfig would read %d); write %sL for a 64-bit whole "
                "number", t, (int)(unsigned)(unsigned long long)v, t);
        break;
    }
    case NUM_INT64:
        if (len < sizeof buf - 1)
            (void)strtoll(buf, NULL, 10);
        if (len >= sizeof buf - 1 || errno == ERANGE)
            bad(g, where, line, "the whole number %s is too large (at most "
                "9223372036854775807)", t);
        break;
    case NUM_HEX:
    case NUM_HEX64: {
        unsigned long long v = len < sizeof buf - 1
                                   ? strtoull(buf, NULL, 16) : ULLONG_MAX;
        if (len >= sizeof buf - 1 || errno == ERANGE || v > INT64_MAX)
            bad(g, where, line, "the number %s is too large (at most "
                "0x7FFFFFFFFFFFFFFFL)", t);
        else if (kind == NUM_HEX && v > INT_MAX)
            bad(g, where, line, "the number %s does not fit in 32 bits "
                "(libconfig would read %d); write %sL for a 64-bit whole "
                "number", t, (int)(unsigned)v, t);
        break;
    }
    case NUM_FLOAT: {
        bool digit = false;
        for (size_t i = 0; i < len && !digit; i++) {
            if (tok[i] == 'e' || tok[i] == 'E')
                break;
            digit = is_digit(tok[i]);
        }
        if (!digit) {
            bad(g, where, line, "'%s' is not a number (it has no digit)", t);
        } else if (len < sizeof buf - 1) {
            double v = strtod(buf, NULL);
            if (errno == ERANGE && (v > 1.0 || v < -1.0))
                bad(g, where, line, "the number %s is too large", t);
        } else {
            bad(g, where, line, "the number %s has too many digits", t);
        }
        break;
    }
    case NUM_NONE:
        break;
    }
}

static void guard_file(guard *g, const char *path, const char *shown,
                       const char *from, int from_line, int depth, int nest);

/*
 * Scan `text` (len bytes) from `where`: numbers, nesting, @include files.
 * `line0` is 1 for a file and 0 for an override (no line numbers); `depth`
 * is the @include depth and `nest` the bracket depth the text starts at.
 */
static void scan(guard *g, const char *where, const char *text, size_t len,
                 int line0, int depth, int nest)
{
    const char *p = text, *end = text + len;
    int line = line0 ? line0 : 0;
    bool line_start = true, nest_reported = false;
    char prev = '\0'; /* the last character that is not a blank */
#define LINE() (line0 ? line : 0)
    while (p < end && g->rc != TW_EFAIL) {
        char c = *p;
        if (c == '\n') {
            line += line0 != 0;
            line_start = true;
            p++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
            p++;
            continue;
        }
        if (line_start && c == '@' && (size_t)(end - p) > 8 &&
            strncmp(p, "@include", 8) == 0 && (p[8] == ' ' || p[8] == '\t')) {
            const char *q = p + 8;
            while (q < end && (*q == ' ' || *q == '\t'))
                q++;
            if (q < end && *q == '"') {
                /* the path, with libconfig's two escapes \\ and \" */
                char name[4096];
                size_t n = 0;
                for (q++; q < end && *q != '"' && *q != '\n'; q++) {
                    if (*q == '\\' && q + 1 < end &&
                        (q[1] == '\\' || q[1] == '"'))
                        q++;
                    if (n + 1 < sizeof name)
                        name[n++] = *q;
                }
                name[n] = '\0';
                if (q < end && *q == '"') {
                    q++;
                    if (line0 == 0)
                        bad(g, where, 0, "an override cannot @include a "
                            "file");
                    else if (depth + 1 < GUARD_MAX_INCLUDE_DEPTH) {
                        size_t plen = strlen(g->dir) + n + 2;
                        char *full = malloc(plen);
                        if (full == NULL) {
                            oom(g);
                            return;
                        }
                        snprintf(full, plen, "%s%s", g->dir, name);
                        guard_file(g, full, name, where, line, depth + 1,
                                   nest);
                        free(full);
                    }
                }
            }
            p = q;
            line_start = false;
            continue;
        }
        line_start = false;
        char last = prev;
        prev = c;
        if (c == '"') { /* a string: skip it, counting its lines */
            for (p++; p < end && *p != '"'; p++) {
                if (*p == '\\' && p + 1 < end && p[1] != '\n')
                    p++;
                else if (*p == '\n')
                    line += line0 != 0;
            }
            p += p < end; /* the closing quote, if any */
            continue;
        }
        if (c == '#' || (c == '/' && p + 1 < end && p[1] == '/')) {
            prev = last; /* a comment is a blank */
            while (p < end && *p != '\n')
                p++;
            continue;
        }
        if (c == '/' && p + 1 < end && p[1] == '*') {
            prev = last;
            for (p += 2; p < end && !(p[0] == '*' && p + 1 < end &&
                                      p[1] == '/'); p++)
                line += *p == '\n' && line0 != 0;
            p = p < end ? p + 2 : end;
            continue;
        }
        if (is_name_start(c)) {
            while (p < end && is_name_char(*p))
                p++;
            continue;
        }
        if (is_digit(c) || c == '.' || c == '+' || c == '-') {
            size_t n = 0;
            num_kind k = match_number(p, &n);
            if (k != NUM_NONE && n > 0 && (size_t)(end - p) >= n) {
                /* a value follows = : , [ or (; elsewhere (a.b = 1) the
                 * number is a syntax error that libconfig reports */
                if (last == '\0' || strchr("=:,[(", last) != NULL)
                    check_number(g, where, LINE(), k, p, n);
                p += n;
                continue;
            }
        }
        if (c == '{' || c == '(' || c == '[') {
            if (++nest > TW_GUARD_MAX_DEPTH && !nest_reported) {
                bad(g, where, LINE(), "brackets nested more than %d deep; no "
                    "setting of twsim needs more than 6",
                    TW_GUARD_MAX_DEPTH);
                nest_reported = true;
            }
        } else if (c == '}' || c == ')' || c == ']') {
            nest--;
        }
        p++;
    }
#undef LINE
}

/* Read and check one file, opened as `path`, named `shown` in messages
 * (as its @include writes it, as libconfig does); `from`:`from_line` is
 * the @include that names it (NULL for the main config). */
static void guard_file(guard *g, const char *path, const char *shown,
                       const char *from, int from_line, int depth, int nest)
{
    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return; /* libconfig, or slurp() for the main file, reports it */
    char where[4200];
    if (from != NULL)
        snprintf(where, sizeof where, "%s:%d: @include \"%s\"", from,
                 from_line, shown);
    else
        snprintf(where, sizeof where, "%s", shown);
    struct stat st;
    char *buf = NULL;
    if (fstat(fd, &st) != 0) {
        bad(g, where, 0, "cannot read it: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        bad(g, where, 0, "is a directory, not a config file");
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        bad(g, where, 0, "is not a regular file (a device, pipe or "
            "socket); give a config file");
        goto out;
    }
    if (g->ids != NULL) {
        tw_file_id *v = realloc(*g->ids, (*g->n_ids + 1) * sizeof *v);
        if (v == NULL) {
            oom(g);
            goto out;
        }
        v[*g->n_ids] = (tw_file_id){(unsigned long long)st.st_dev,
                                    (unsigned long long)st.st_ino};
        *g->ids = v;
        (*g->n_ids)++;
    }
    if ((uint64_t)st.st_size > TW_GUARD_MAX_BYTES ||
        g->total + (size_t)st.st_size > TW_GUARD_MAX_BYTES) {
        bad(g, where, 0, "%s %lld bytes; a config with its @include files "
            "may have at most %u MiB", from ? "takes the config to more than"
            : "has", (long long)st.st_size, TW_GUARD_MAX_BYTES >> 20);
        goto out;
    }
    /* one byte more than the size: a file that grows is caught below */
    size_t cap = (size_t)st.st_size + 1, len = 0;
    if ((buf = malloc(cap + 1)) == NULL) {
        oom(g);
        goto out;
    }
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            bad(g, where, 0, "cannot read it: %s", strerror(errno));
            goto out;
        }
        if (r == 0)
            break;
        len += (size_t)r;
        if (len == cap) {
            bad(g, where, 0, "changed while it was read");
            goto out;
        }
    }
    buf[len] = '\0';
    g->total += len;
    if (memchr(buf, '\0', len) != NULL) {
        bad(g, where, 0, "this is not a text file (it contains NUL bytes)");
        goto out;
    }
    const char *name = shown;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        bad(g, name, 1, "the file starts with a byte-order mark (BOM), "
            "which libconfig cannot read; save it as UTF-8 without BOM");
        goto out;
    }
    int line = first_bad_utf8(buf, len);
    if (line > 0) {
        bad(g, name, line, "this line is not UTF-8 text (is the file "
            "saved as GBK? save it as UTF-8)");
        goto out;
    }
    scan(g, name, buf, len, 1, depth, nest);
out:
    free(buf);
    close(fd);
}

char *tw_config_include_dir(const char *path)
{
    char *dir = malloc(strlen(path) + 3);
    if (dir == NULL)
        return NULL;
    strcpy(dir, path);
    char *slash = strrchr(dir, '/');
    if (slash != NULL)
        slash[1] = '\0';
    else
        strcpy(dir, "./");
    return dir;
}

int tw_config_guard_file(const char *path, tw_file_id **ids, size_t *n_ids,
                         tw_error *err)
{
    /* libconfig's include_dir: the main file's directory with its '/'
     * (config.c: parse_file), to which it adds "/" + the @include path */
    char *dir = tw_config_include_dir(path);
    if (dir == NULL)
        return tw_error_add(err, TW_EFAIL, "out of memory");
    guard g = {.err = err, .rc = TW_OK, .dir = dir, .ids = ids,
               .n_ids = n_ids};
    guard_file(&g, path, path, NULL, 0, 0, 0);
    if (g.more > 0)
        tw_error_add(err, TW_EINPUT, "(and %d more problems like these)",
                     g.more);
    free(dir);
    return g.rc;
}

char *tw_config_guard_value(const char *arg, const char *value,
                            tw_error *err)
{
    char where[600];
    snprintf(where, sizeof where, "--set %s", arg);
    guard g = {.err = err, .rc = TW_OK, .dir = ""};
    size_t len = strlen(value);
    if (strpbrk(value, "\n\r") != NULL) {
        bad(&g, where, 0, "a value must be on one line");
        return NULL;
    }
    if (first_bad_utf8(value, len) > 0) {
        bad(&g, where, 0, "the value is not UTF-8 text");
        return NULL;
    }
    /* a bare whole number outside 32 bits: read it as 64-bit */
    size_t n = 0;
    bool promote = false;
    if (match_number(value, &n) == NUM_INT && n == len) {
        errno = 0;
        long long v = strtoll(value, NULL, 10);
        promote = errno == 0 && (v < INT_MIN || v > INT_MAX);
    }
    if (!promote)
        scan(&g, where, value, len, 0, 0, 0);
    if (g.rc != TW_OK)
        return NULL;
    char *out = malloc(len + 2);
    if (out == NULL) {
        tw_error_add(err, TW_EFAIL, "out of memory");
        return NULL;
    }
    snprintf(out, len + 2, "%s%s", value, promote ? "L" : "");
    return out;
}
