# twsim - teacher workforce simulation engine.
#
#   make            build build/libtwsim.a and build/twsim
#   make run        build, run Gangbei's ensemble, print its target report
#                   (make run REGION=neijiang etc. for another region)
#   make check      build and run every test (Check suites + Python read-back
#                   + the notebooks)
#   make notebooks  run the small ensembles of build/notebook-data/ and execute
#                   notebooks/*.ipynb into build/notebooks/ (figures: build/figures/)
#   make stress     the resume stress test: 500 kill -9 / --resume cycles
#                   under CPU load (make stress STRESS_N=...)
#   make docs-figures  make the runs behind the figures of docs/calibration.md
#                   and docs/regions.md and rewrite them in place
#                   (docs/figures.md)
#   make clean      remove build/
#
# Missing Debian packages are installed by scripts/deps.sh (as root, with
# apt-get) the first time a target needs them; when they are all present,
# nothing is installed and nothing is fetched.

CC      ?= cc
ifeq ($(origin CC),default)
CC      := gcc
endif
PYTHON  := /usr/bin/python3
BUILD   := build
OBJDIR  := $(BUILD)/obj

# Goals that need no dependencies at all.
NODEP_GOALS := clean help
ifneq ($(filter-out $(NODEP_GOALS),$(or $(MAKECMDGOALS),all)),)
  DEPS_RC := $(shell scripts/deps.sh build >&2; echo $$?)
  ifneq ($(DEPS_RC),0)
    $(error the build dependencies are missing and could not be installed (see above))
  endif
endif

PKGS      := gsl libconfig hdf5-serial
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS   = $(shell pkg-config --libs check)

WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
           -Wpointer-arith -Wformat=2 -Wundef -Wcast-align -Wvla
OPT     ?= -O2 -g
CFLAGS  ?=
CFLAGS  += -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -Iinclude -MMD -MP
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
LDLIBS  := -lhdf5_hl -lm
# Replicates run on POSIX threads (src/run/pool.c, twsim run --threads).
CFLAGS  += -pthread
LDLIBS  += -pthread

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

# The layers (docs/architecture.md), lowest first; the library is all but
# the CLI, which links it. src/run/mpi/ is compiled only into twsim-mpi.
LAYERS  := base model io run
LIB_SRC := $(foreach l,$(LAYERS),$(wildcard src/$(l)/*.c))
CLI_SRC := $(wildcard src/cli/*.c)
LIB_OBJ := $(LIB_SRC:src/%.c=$(OBJDIR)/%.o)
CLI_OBJ := $(CLI_SRC:src/%.c=$(OBJDIR)/%.o)
TEST_SRC := $(wildcard tests/*.c)
TEST_OBJ := $(TEST_SRC:tests/%.c=$(OBJDIR)/tests/%.o)

LIB     := $(BUILD)/libtwsim.a
CLI     := $(BUILD)/twsim
RUNNER  := $(BUILD)/check_twsim

REGION  ?= gangbei
RUN_CONFIG := configs/$(REGION).cfg
RUN_OUT := $(BUILD)/$(REGION).h5

.PHONY: all run check clean help test-deps
all: $(LIB) $(CLI)

help:
	@sed -n '3,16p' Makefile

$(OBJDIR) $(OBJDIR)/tests:
	@mkdir -p $@

# The commit id is baked into version.o only; it is rebuilt when it changes.
$(BUILD)/git-commit: FORCE | $(OBJDIR)
	@echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@
$(OBJDIR)/base/version.o: $(BUILD)/git-commit
$(OBJDIR)/base/version.o: CFLAGS += -DTW_GIT_COMMIT='"$(GIT_COMMIT)"'

$(OBJDIR)/%.o: src/%.c | $(OBJDIR)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(OBJDIR)/tests/%.o: tests/%.c | $(OBJDIR)/tests
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) $(CHECK_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@echo "  AR      $@"
	@rm -f $@ && ar rcs $@ $^

$(CLI): $(CLI_OBJ) $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(RUNNER): $(TEST_OBJ) $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS) $(LDLIBS)

test-deps:
	@scripts/deps.sh test

run: $(CLI)
	@$(CLI) run $(RUN_CONFIG) -o $(RUN_OUT)

# Check suites first (their own summary line), then the file-level tests
# that need the CLI, h5dump and /usr/bin/python3. scripts/check.sh runs
# every suite even after one fails and prints a summary of all of them at
# the end; one suite is one "NAME|COMMAND" entry of CHECK_SUITES.
CHECK_ENV := PYTHON=$(PYTHON) TWSIM=$(CURDIR)/$(CLI)
CHECK_SUITES = \
  "Check suites|cd tests && ../$(RUNNER)" \
  "CLI and HDF5 read-back tests|$(CHECK_ENV) sh tests/cli_test.sh" \
  "Interrupted runs: signals, kill -9 and --resume|$(CHECK_ENV) sh tests/resume_test.sh" \
  "Resume stress: kill -9 before every write, and at random times under load|$(CHECK_ENV) CC=\"$(CC)\" STRESS_N=20 STRESS_REPS=200 sh tests/stress_test.sh" \
  "Memory: flat in the replicate count (docs/hdf5.md)|$(CHECK_ENV) sh tests/memory_test.sh" \
  "MPI ranks and threads: bitwise the serial run, --resume|$(MPI_TEST_ENV) sh tests/mpi_test.sh" \
  "Uncertain settings: zero width, slots, threads and MPI, --resume, known answers|$(MPI_TEST_ENV) sh tests/uncertainty_test.sh" \
  "Slices and merge (Slurm arrays), the Slurm scripts, export for pandas|$(MPI_TEST_ENV) sh tests/slices_test.sh" \
  "Policy experiments: scenarios, compare, optimize, sweep|$(CHECK_ENV) sh tests/experiment_test.sh" \
  "Region configs and their target reports|$(CHECK_ENV) sh tests/regions_test.sh" \
  "Figures quoted in the docs, and their commands (docs/figures.md)|$(CHECK_ENV) sh tests/docs_figures_test.sh" \
  "Bad input: malformed configs and command lines (docs/robustness.md)|$(CHECK_ENV) sh tests/bad_input_test.sh" \
  "Faults: full disk, read-only output directory|$(CHECK_ENV) sh tests/fault_test.sh" \
  "The fuzz corpus and its regressions through the config loader|$(REPLAY) $(FUZZ_CORPUS)" \
  "Notebooks, executed into $(BUILD)/notebooks/ (figures in $(BUILD)/figures/)|$(MAKE) --no-print-directory notebooks"

check: $(CLI) $(RUNNER) test-deps
	@sh scripts/check.sh $(CHECK_SUITES)

clean:
	rm -rf $(BUILD)

# Every figure quoted in docs/calibration.md and docs/regions.md, from the
# runs of scripts/docs_figures_spec.py at the replicate counts the text
# quotes (cached in $(BUILD)/docs-figures/); `make check` compares them
# at small counts (tests/docs_figures_test.sh).
.PHONY: docs-figures
docs-figures: $(CLI)
	@TWSIM=$(CURDIR)/$(CLI) DOCS_FIGURES_CACHE=$(CURDIR)/$(BUILD)/docs-figures \
	    $(PYTHON) scripts/docs_figures.py write docs/calibration.md docs/regions.md

# The long resume stress test (docs/robustness.md): every write of a run,
# of a --resume and of --all-scenarios, and STRESS_N random kills under
# load (make stress STRESS_N=2000).
STRESS_N ?= 500
.PHONY: stress
stress: $(CLI) test-deps
	@PYTHON=$(PYTHON) TWSIM=$(CURDIR)/$(CLI) CC="$(CC)" STRESS_N=$(STRESS_N) \
	    STRESS_STRIDE=1 STRESS_REPS=400 VERBOSE=1 sh tests/stress_test.sh

# ---- notebooks (docs/notebooks.md) -------------------------------------------
# The small outputs the notebooks read: every region with $(NB_N) replicates
# (Chengdu, full scale, with 4; Guiyang with --schools, for the short
# schools of notebook 04), and Neijiang once more under another hiring
# policy with the same seed, for the paired comparison of notebook 03, and
# Gangbei over uncertain settings for notebook 05. Their Python packages
# (scripts/deps.sh notebooks) are needed only here.
NB_DATA      := $(BUILD)/notebook-data
NB_REGIONS   := gangbei neijiang nanan guiyang chengdu
NB_N         := 20
NB_N_chengdu := 4
NB_OPTS_guiyang := --schools
NB_VARIANT   := --set recruitment.channels.enterprise.cohort=-1
NB_FILES     := $(NB_REGIONS:%=$(NB_DATA)/%.h5) $(NB_DATA)/neijiang-central.h5 \
                $(NB_DATA)/neijiang-enterprise.h5 \
                $(NB_DATA)/neijiang-sweep.h5 $(NB_DATA)/gangbei-uncertain.h5
NB_UNC_N     := 500
NOTEBOOKS    := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: notebooks notebook-data notebook-deps notebooks-clear

notebook-deps:
	@scripts/deps.sh notebooks

notebook-data: $(NB_FILES)

$(NB_DATA):
	@mkdir -p $@

$(NB_DATA)/%.h5: configs/%.cfg configs/national.cfg $(CLI) | $(NB_DATA)
	@echo "  TWSIM   $@"
	@$(CLI) run $< -n $(or $(NB_N_$*),$(NB_N)) $(NB_OPTS_$*) -q -o $@

# The pair of notebook 03 is run at the config's own values
# (--no-uncertainty): over the uncertain settings its replicates would come
# in groups that share a parameter point, not as the independent draws its
# intervals assume.
$(NB_DATA)/neijiang-central.h5: configs/neijiang.cfg configs/national.cfg $(CLI) | $(NB_DATA)
	@echo "  TWSIM   $@ (--no-uncertainty)"
	@$(CLI) run $< -n $(NB_N) -q --no-uncertainty -o $@

$(NB_DATA)/neijiang-enterprise.h5: configs/neijiang.cfg configs/national.cfg $(CLI) | $(NB_DATA)
	@echo "  TWSIM   $@ (--no-uncertainty $(NB_VARIANT))"
	@$(CLI) run $< -n $(NB_N) -q --no-uncertainty $(NB_VARIANT) -o $@

$(NB_DATA)/neijiang-sweep.h5: configs/neijiang.cfg configs/national.cfg $(CLI) | $(NB_DATA)
	@echo "  SWEEP   $@"
	@$(CLI) sweep $< --lever recruitment.channels.open.cohort \
	    --values 0,10,15,18,20,21,22,23,25,30,40 \
	    --target hires_4000,qual_junior_85 -n $(NB_N) -o $@ >/dev/null

# Gangbei with an uncertainty group: its own when configs/gangbei.cfg has
# one, else notebooks/gangbei-uncertainty.cfg appended to a copy. The copy
# sits beside copies of the other configs, because @include paths are taken
# from the main config's directory.
NB_UNC_DIR   := $(NB_DATA)/uncertain
$(NB_DATA)/gangbei-uncertain.h5: configs/gangbei.cfg configs/national.cfg notebooks/gangbei-uncertainty.cfg $(CLI) | $(NB_DATA)
	@echo "  TWSIM   $@ (uncertain settings)"
	@mkdir -p $(NB_UNC_DIR) && cp configs/*.cfg $(NB_UNC_DIR)/ && \
	if ! grep -Eq '^[[:space:]]*uncertainty[[:space:]]*[=:]' configs/gangbei.cfg; then \
	    cat notebooks/gangbei-uncertainty.cfg >>$(NB_UNC_DIR)/gangbei.cfg; fi
	@$(CLI) run $(NB_UNC_DIR)/gangbei.cfg -n $(NB_UNC_N) -q -o $@

notebooks: notebook-deps notebook-data
	@BUILD=$(BUILD) sh scripts/notebooks.sh $(NOTEBOOKS)

# Strip outputs from notebooks/*.ipynb (they are stored without; the executed
# copies are in build/notebooks/).
notebooks-clear: notebook-deps
	@sh scripts/notebooks.sh --clear $(NOTEBOOKS)

# ---- robustness (docs/robustness.md) -------------------------------------------
# make sanitize  clang ASan + UBSan build in $(BUILD)/san/; runs the Check
#                suites, the CLI, bad-input, fault and region tests and the
#                fuzz corpus under it; any sanitizer report fails
# make valgrind  memcheck on small runs of $(CLI): no error, no leak
# make fuzz      libFuzzer on the config loader for FUZZ_SECONDS seconds; a
#                crash fails (its input is kept in $(BUILD)/fuzz/crashes/)
FUZZ_SECONDS ?= 60
SAN_DIR     := $(BUILD)/san
FUZZ_DIR    := $(BUILD)/fuzz
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
FUZZ_OBJ    := $(OBJDIR)/fuzz/fuzz_config.o $(OBJDIR)/fuzz/replay.o
REPLAY      := $(BUILD)/fuzz_replay
# the seed corpus; tests/fuzz/regress/ holds every input that ever crashed
FUZZ_CORPUS := configs tests/data tests/bad_input tests/fuzz/seeds \
               tests/fuzz/regress

.PHONY: sanitize valgrind fuzz

check: $(REPLAY)

$(OBJDIR)/fuzz:
	@mkdir -p $@

$(OBJDIR)/fuzz/%.o: tests/fuzz/%.c | $(OBJDIR)/fuzz
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) \
	    -DTW_FUZZ_NATIONAL='"$(CURDIR)/configs/national.cfg"' -c $< -o $@

# the harness without libFuzzer, for `make check` (any compiler)
$(REPLAY): $(FUZZ_OBJ) $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

# the harness with libFuzzer: only in the $(FUZZ_DIR) build below
$(BUILD)/fuzz_config: $(OBJDIR)/fuzz/fuzz_config.o $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS) $(LDLIBS)

sanitize: test-deps
	@scripts/deps.sh sanitize
	@$(MAKE) --no-print-directory BUILD=$(SAN_DIR) CC=clang \
	    OPT="-O1 -g $(SAN_FLAGS)" LDFLAGS="$(SAN_FLAGS)" \
	    $(SAN_DIR)/twsim $(SAN_DIR)/check_twsim $(SAN_DIR)/fuzz_replay
	@PYTHON=$(PYTHON) sh scripts/sanitize.sh $(SAN_DIR) $(FUZZ_CORPUS)

valgrind: $(CLI) test-deps
	@scripts/deps.sh valgrind
	@sh scripts/valgrind.sh $(CLI)

fuzz:
	@scripts/deps.sh fuzz
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_DIR) CC=clang \
	    OPT="-O1 -g -fsanitize=fuzzer-no-link $(SAN_FLAGS)" \
	    LDFLAGS="$(SAN_FLAGS)" $(FUZZ_DIR)/fuzz_config
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh scripts/fuzz.sh $(FUZZ_DIR) $(FUZZ_CORPUS)

# ---- MPI and parallel HDF5 (docs/cluster.md) ---------------------------------
# make mpi    build/twsim-mpi: the library and the CLI compiled again with
#             $(MPICC) against parallel HDF5 (-DTW_MPI), objects in
#             $(BUILD)/mpi/; the serial build never needs MPI
# make bench  build/twbench (bench/twbench.c: teacher-years/s per core, the
#             HDF5 share, 1 and 2 threads, peak memory, the random-draw
#             floor, the goals; figures also in build/bench.json), then
#             every script of BENCH_SCRIPTS, each printing its figures
#             (bench/peer.sh: twsim against the numpy reference peer,
#             bench/numpy_peer.py, interleaved, and the ratios against the
#             goals; bench/scaling.sh: replicates/s on 1 and 2 threads and
#             ranks)
#             make bench BENCH_ARGS="--regions chengdu --repeat 1" etc.;
#             make bench BENCH_QUICK=1: one run per figure, 3 peer rounds
# make bench-peer  bench/peer.sh alone (about half a minute)
# The bench group of scripts/deps.sh (numpy for the peer, linux-perf) is
# installed for these goals.
# The mpi group of scripts/deps.sh is installed for these goals and for
# `make check` (its MPI tests), never for a plain `make`.
MPI_GOALS := mpi bench check
ifneq ($(filter $(MPI_GOALS),$(MAKECMDGOALS)),)
  MPI_DEPS_RC := $(shell scripts/deps.sh mpi >&2; echo $$?)
  ifneq ($(MPI_DEPS_RC),0)
    $(error the MPI packages are missing and could not be installed (see above))
  endif
endif
# Debian's names, so that another MPI installed as the default `mpicc`
# cannot be mixed with Open MPI's parallel HDF5; on a cluster, e.g.
#   make mpi MPICC=mpicc MPI_HDF5_PKG=hdf5
MPICC        ?= mpicc.openmpi
MPIRUN       ?= mpirun.openmpi
MPI_HDF5_PKG ?= hdf5-openmpi
MPI_PKGS     := gsl libconfig $(MPI_HDF5_PKG)
MPI_CFLAGS    = $(shell pkg-config --cflags $(MPI_PKGS)) -DTW_MPI
MPI_LIBS      = $(shell pkg-config --libs $(MPI_PKGS))
MPI_OBJDIR   := $(BUILD)/mpi/obj
MPI_SRC      := $(LIB_SRC) $(CLI_SRC) $(wildcard src/run/mpi/*.c)
MPI_OBJ      := $(MPI_SRC:src/%.c=$(MPI_OBJDIR)/%.o)
MPI_CLI      := $(BUILD)/twsim-mpi
MPI_TEST_ENV  = PYTHON=$(PYTHON) TWSIM=$(CURDIR)/$(CLI) \
                TWSIM_MPI=$(CURDIR)/$(MPI_CLI) MPIRUN=$(MPIRUN)
BENCH_SCRIPTS := bench/peer.sh bench/scaling.sh bench/uncertainty.sh
BENCH        := $(BUILD)/twbench
BENCH_OBJ    := $(OBJDIR)/bench/twbench.o
BENCH_JSON   := $(BUILD)/bench.json
BENCH_QUICK  ?=
ifneq ($(BENCH_QUICK),)
  BENCH_ARGS   ?= --repeat 1
  BENCH_ENV    := BENCH_QUICK=1 BENCH_REPEAT=1
endif
BENCH_ARGS   ?=
ifneq ($(filter bench bench-peer,$(MAKECMDGOALS)),)
  BENCH_DEPS_RC := $(shell scripts/deps.sh bench >&2; echo $$?)
  ifneq ($(BENCH_DEPS_RC),0)
    $(error the bench packages are missing and could not be installed (see above))
  endif
endif

.PHONY: mpi bench bench-peer
mpi: $(MPI_CLI)
check: $(MPI_CLI)

$(MPI_OBJDIR)/base/version.o: $(BUILD)/git-commit
$(MPI_OBJDIR)/base/version.o: CFLAGS += -DTW_GIT_COMMIT='"$(GIT_COMMIT)"'

$(MPI_OBJDIR)/%.o: src/%.c
	@mkdir -p $(@D)
	@echo "  MPICC   $<"
	@$(MPICC) $(CFLAGS) $(MPI_CFLAGS) -c $< -o $@

$(MPI_CLI): $(MPI_OBJ)
	@echo "  LINK    $@"
	@$(MPICC) $(LDFLAGS) -o $@ $^ $(MPI_LIBS) $(LDLIBS)

# the benchmark program links the serial library like $(CLI)
$(OBJDIR)/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BENCH): $(BENCH_OBJ) $(LIB)
	@echo "  LINK    $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

-include $(BENCH_OBJ:.o=.d)

bench: $(BENCH) $(CLI) $(MPI_CLI)
	@echo "== $(BENCH)"
	@$(BENCH) --json $(BENCH_JSON) $(BENCH_ARGS)
	@for s in $(BENCH_SCRIPTS); do \
	    echo "== $$s"; \
	    $(MPI_TEST_ENV) $(BENCH_ENV) sh $$s || exit 1; \
	done

bench-peer: $(CLI)
	@PYTHON=$(PYTHON) TWSIM=$(CURDIR)/$(CLI) $(BENCH_ENV) sh bench/peer.sh

FORCE:

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
-include $(FUZZ_OBJ:.o=.d)
-include $(MPI_OBJ:.o=.d)
