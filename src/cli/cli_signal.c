/*
 * cli_signal.c - SIGINT / SIGTERM for the commands that run ensembles
 * (tw_cli.h): the handler only records the signal; the run polls the flag,
 * stops after the replicates in progress and cleans up after itself.
 */
#include <signal.h>
#include <string.h>

#include "tw_cli.h"

volatile sig_atomic_t tw_cli_stop;

static void on_signal(int sig)
{
    tw_cli_stop = sig;
}

void tw_cli_catch_stop_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}
