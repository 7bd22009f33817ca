#!/bin/sh
# deps.sh GROUP... - make sure the Debian packages a make target needs are
# installed; install the missing ones with apt-get. When everything is
# present it prints nothing and touches nothing (so it works offline).
#
# Groups:
#   build  compiler, pkg-config, GSL, libconfig, serial HDF5, Check
#   test   what `make check` uses besides the build: h5py, numpy, h5dump,
#          pandas, xarray + h5netcdf, PyTables (pandas.read_hdf)
#   notebooks  what `make notebooks` (and the notebook step of `make check`)
#          uses: Jupyter's nbconvert and a kernel for /usr/bin/python3, h5py,
#          pandas, xarray + h5netcdf, matplotlib, and a CJK font for the
#          Chinese tier names and quotes in the plots
#   sanitize  clang and its sanitizer runtimes (`make sanitize`)
#   fuzz   clang and libFuzzer (`make fuzz`)
#   valgrind  valgrind (`make valgrind`)
#   mpi    Open MPI (mpicc, mpirun) and parallel HDF5 built with it, for
#          `make mpi` (build/twsim-mpi), its tests and `make bench`
#   bench  what `make bench` uses besides the builds: numpy for the
#          reference peer (bench/numpy_peer.py), and linux-perf for profiling
#          (docs/performance.md)
#
# Exit status: 0 all present (or installed), 1 something is missing and could
# not be installed.
set -u

missing=""
need_pkg() {   # need_pkg DEBIAN-PACKAGE TEST-COMMAND...
    pkg=$1; shift
    "$@" >/dev/null 2>&1 || missing="$missing $pkg"
}

for group in "$@"; do
    case $group in
    build)
        need_pkg make        command -v make
        need_pkg gcc         command -v gcc
        need_pkg pkg-config  command -v pkg-config
        need_pkg libgsl-dev     pkg-config --exists gsl
        need_pkg libconfig-dev  pkg-config --exists libconfig
        need_pkg libhdf5-dev    pkg-config --exists hdf5-serial
        need_pkg check          pkg-config --exists check
        # Debian's check.pc links -lsubunit
        need_pkg libsubunit-dev test -e /usr/lib/x86_64-linux-gnu/libsubunit.so -o -e /usr/lib/libsubunit.so -o -n "$(ls /usr/lib/*/libsubunit.so 2>/dev/null)"
        ;;
    test)
        need_pkg python3-numpy /usr/bin/python3 -c 'import numpy'
        need_pkg python3-h5py  /usr/bin/python3 -c 'import h5py'
        need_pkg hdf5-tools    command -v h5dump
        need_pkg python3-pandas   /usr/bin/python3 -c 'import pandas'
        need_pkg python3-xarray   /usr/bin/python3 -c 'import xarray'
        need_pkg python3-h5netcdf /usr/bin/python3 -c 'import h5netcdf'
        # pandas.read_hdf of a `twsim export --format tidy-h5` table
        need_pkg python3-tables   /usr/bin/python3 -c 'import tables'
        ;;
    notebooks)
        need_pkg python3-numpy      /usr/bin/python3 -c 'import numpy'
        need_pkg python3-h5py       /usr/bin/python3 -c 'import h5py'
        need_pkg python3-pandas     /usr/bin/python3 -c 'import pandas'
        need_pkg python3-xarray     /usr/bin/python3 -c 'import xarray'
        need_pkg python3-h5netcdf   /usr/bin/python3 -c 'import h5netcdf'
        need_pkg python3-matplotlib /usr/bin/python3 -c 'import matplotlib'
        need_pkg python3-nbformat   /usr/bin/python3 -c 'import nbformat'
        need_pkg python3-nbconvert  /usr/bin/python3 -c 'import nbconvert, nbclient'
        need_pkg python3-ipykernel  /usr/bin/python3 -c 'import ipykernel'
        need_pkg jupyter-nbconvert  test -x /usr/bin/jupyter-nbconvert
        # any CJK font will do; WenQuanYi Micro Hei is the small one
        need_pkg fonts-wqy-microhei test -n "$(ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc \
            /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc /usr/share/fonts/opentype/noto/NotoSansCJK-*.ttc \
            /usr/share/fonts/opentype/noto/NotoSerifCJK-*.ttc 2>/dev/null)"
        ;;
    sanitize|fuzz)
        need_pkg clang command -v clang
        # the runtimes: libclang_rt.asan/ubsan (sanitize), .fuzzer (fuzz)
        rt=asan; [ "$group" = fuzz ] && rt=fuzzer
        need_pkg libclang-rt-dev test -e "$(clang -print-file-name=libclang_rt.$rt-$(uname -m).a 2>/dev/null)"
        ;;
    valgrind)
        need_pkg valgrind command -v valgrind
        ;;
    bench)
        need_pkg python3-numpy /usr/bin/python3 -c 'import numpy'
        need_pkg linux-perf    command -v perf
        ;;
    mpi)
        need_pkg openmpi-bin          test -x /usr/bin/mpicc.openmpi -a -x /usr/bin/mpirun.openmpi
        need_pkg libopenmpi-dev       pkg-config --exists ompi-c
        need_pkg libhdf5-openmpi-dev  pkg-config --exists hdf5-openmpi
        ;;
    *)
        echo "deps.sh: unknown group '$group' (known: build, test, notebooks, sanitize, fuzz, valgrind, mpi, bench)" >&2
        exit 1
        ;;
    esac
done

[ -z "$missing" ] && exit 0

echo "twsim: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "twsim: not root and no sudo; please run: apt-get install$missing" >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -q --no-install-recommends $missing >&2; then
    # The package lists may be missing or stale on a fresh machine.
    $SUDO apt-get update -q >&2 || true
    # shellcheck disable=SC2086
    $SUDO apt-get install -y -q --no-install-recommends $missing >&2 || {
        echo "twsim: apt-get could not install:$missing" >&2
        exit 1
    }
fi
exit 0
