/*
 * config_guard.h - checks on a config's raw bytes before libconfig reads
 * them (docs/robustness.md, "The libconfig guards").
 *
 * libconfig 1.5 (Debian 12) gets a few inputs silently wrong or cannot
 * bound them; these checks run first, so such input is rejected with a
 * FILE:LINE message instead:
 *
 *   - a config or @include file that is not a regular file (a directory,
 *     /dev/zero, a FIFO) or is larger than TW_GUARD_MAX_BYTES: libconfig
 *     would read it until memory runs out, or wait forever;
 *   - bytes that are not UTF-8 (a file saved as GBK): every string ends up
 *     in the HDF5 output, whose strings are UTF-8; a UTF-8 byte-order mark
 *     (Windows Notepad writes one), which libconfig reads as a syntax error;
 *   - a whole number outside 32 bits without the L suffix: libconfig 1.5
 *     keeps its low 32 bits (4294967306 reads as 10, 2147483648 as
 *     -2147483648); with L, one outside 64 bits (read as INT64_MAX);
 *   - a hexadecimal number above 0x7FFFFFFF without L (read as negative);
 *   - a decimal number that overflows a double (1e999 reads as inf) or has
 *     no digit at all ("." reads as 0);
 *   - brackets nested deeper than TW_GUARD_MAX_DEPTH (no twsim key nests
 *     more than 6; libconfig's parser gives up at 10000 with "memory
 *     exhausted").
 */
#ifndef TW_CONFIG_GUARD_H
#define TW_CONFIG_GUARD_H

#include "tw_config.h"
#include "tw_error.h"

#define TW_GUARD_MAX_BYTES (16u << 20) /* a file, and all files together */
#define TW_GUARD_MAX_DEPTH 32

/* libconfig's include directory for the config file `path`: its directory
 * with the final '/', or "./" (a new string; NULL when memory runs out). */
char *tw_config_include_dir(const char *path);

/*
 * Check the config file `path` and, recursively, the files it @includes
 * (resolved as libconfig 1.5 does: relative to the main file's directory).
 * A missing @include file is left to libconfig, which reports it. Returns
 * TW_OK, or TW_EINPUT with every problem found appended to err ("FILE:LINE:
 * ..."), or TW_EFAIL (out of memory). When ids is not NULL, the identity
 * of every regular file read (the main file first) is appended to *ids
 * (realloc'd, caller-owned) and counted in *n_ids.
 */
int tw_config_guard_file(const char *path, tw_file_id **ids, size_t *n_ids,
                         tw_error *err);

/*
 * Check the value of an override `arg` ("key.path=value", for messages) and
 * return the text to give libconfig, owned by the caller (free): `value`
 * itself, except that a bare whole number outside 32 bits gets an L suffix,
 * so that --set simulation.seed=5000000000 means 5000000000. An override
 * may not span lines or @include a file. On bad input returns NULL with
 * TW_EINPUT appended to err (TW_EFAIL when out of memory).
 */
char *tw_config_guard_value(const char *arg, const char *value,
                            tw_error *err);

#endif /* TW_CONFIG_GUARD_H */
