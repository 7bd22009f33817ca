/* version.c - version strings (TW_GIT_COMMIT is passed in by the Makefile). */
#include "tw_version.h"

#ifndef TW_GIT_COMMIT
#define TW_GIT_COMMIT "unknown"
#endif

const char *tw_version(void)
{
    return TW_VERSION;
}

const char *tw_git_commit(void)
{
    return TW_GIT_COMMIT;
}
