# twsim - teacher workforce simulation engine.
#
#   make            build build/libtwsim.a and build/twsim
#   make run        build, run Gangbei's ensemble, print its target report
#                   (make run REGION=neijiang etc. for another region)
#   make check      build and run every test (Check suites + Python read-back
#                   + the notebooks)
#   make notebooks  run the small ensembles of build/notebook-data/ and execute
#                   notebooks/*.ipynb into build/notebooks/ (figures: build/figures/)
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

GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$(shell git diff --quiet HEAD 2>/dev/null || echo -dirty)

LIB_SRC := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ := $(LIB_SRC:src/%.c=$(OBJDIR)/%.o)
CLI_OBJ := $(OBJDIR)/main.o
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
	@sed -n '3,11p' Makefile

$(OBJDIR) $(OBJDIR)/tests:
	@mkdir -p $@

# The commit id is baked into version.o only; it is rebuilt when it changes.
$(BUILD)/git-commit: FORCE | $(OBJDIR)
	@echo '$(GIT_COMMIT)' | cmp -s - $@ || echo '$(GIT_COMMIT)' > $@
$(OBJDIR)/version.o: $(BUILD)/git-commit
$(OBJDIR)/version.o: CFLAGS += -DTW_GIT_COMMIT='"$(GIT_COMMIT)"'

$(OBJDIR)/%.o: src/%.c | $(OBJDIR)
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
# that need the CLI, h5dump and /usr/bin/python3.
check: $(CLI) $(RUNNER) test-deps
	@echo "== Check suites"
	@cd tests && ../$(RUNNER)
	@echo "== CLI and HDF5 read-back tests"
	@PYTHON=$(PYTHON) TWSIM=$(CURDIR)/$(CLI) sh tests/cli_test.sh
	@echo "== Interrupted runs: signals, kill -9 and --resume"
	@PYTHON=$(PYTHON) TWSIM=$(CURDIR)/$(CLI) sh tests/resume_test.sh
	@echo "== Region configs and their target reports"
	@TWSIM=$(CURDIR)/$(CLI) sh tests/regions_test.sh
	@echo "== Notebooks, executed into $(BUILD)/notebooks/ (figures in $(BUILD)/figures/)"
	@$(MAKE) --no-print-directory notebooks

clean:
	rm -rf $(BUILD)

# ---- notebooks (docs/notebooks.md) -------------------------------------------
# The small outputs the notebooks read: every region with $(NB_N) replicates
# (Chengdu, full scale, with 4), and Neijiang once more under another hiring
# policy with the same seed, for the paired comparison of notebook 03. Their
# Python packages (scripts/deps.sh notebooks) are needed only here.
NB_DATA      := $(BUILD)/notebook-data
NB_REGIONS   := gangbei neijiang nanan guiyang chengdu
NB_N         := 20
NB_N_chengdu := 4
NB_VARIANT   := --set recruitment.channels.enterprise.cohort=-1
NB_FILES     := $(NB_REGIONS:%=$(NB_DATA)/%.h5) $(NB_DATA)/neijiang-enterprise.h5
NOTEBOOKS    := $(sort $(wildcard notebooks/*.ipynb))

.PHONY: notebooks notebook-data notebook-deps notebooks-clear

notebook-deps:
	@scripts/deps.sh notebooks

notebook-data: $(NB_FILES)

$(NB_DATA):
	@mkdir -p $@

$(NB_DATA)/%.h5: configs/%.cfg configs/national.cfg $(CLI) | $(NB_DATA)
	@echo "  TWSIM   $@"
	@$(CLI) run $< -n $(or $(NB_N_$*),$(NB_N)) -q -o $@

$(NB_DATA)/neijiang-enterprise.h5: configs/neijiang.cfg configs/national.cfg $(CLI) | $(NB_DATA)
	@echo "  TWSIM   $@ ($(NB_VARIANT))"
	@$(CLI) run $< -n $(NB_N) -q $(NB_VARIANT) -o $@

notebooks: notebook-deps notebook-data
	@BUILD=$(BUILD) sh scripts/notebooks.sh $(NOTEBOOKS)

# Strip outputs from notebooks/*.ipynb (they are stored without; the executed
# copies are in build/notebooks/).
notebooks-clear: notebook-deps
	@sh scripts/notebooks.sh --clear $(NOTEBOOKS)

FORCE:

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d)
