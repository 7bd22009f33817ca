/* tw_version.h - the engine version and the commit it was built from. */
#ifndef TW_VERSION_H
#define TW_VERSION_H

#define TW_VERSION "0.2.0"

/* TW_VERSION, as a function so that it can be read from the library. */
const char *tw_version(void);

/* The git commit of the build ("<12 hex>" with "-dirty" when the work tree
 * had changes), or "unknown" when not built from a git checkout. */
const char *tw_git_commit(void);

#endif
