#!/bin/sh
# notebooks.sh NOTEBOOK... - execute Jupyter notebooks top to bottom into
# build/notebooks/ (executed copies, with outputs) with /usr/bin/python3's
# kernel; the notebooks in notebooks/ stay without outputs.
#
# Everything Jupyter, IPython and matplotlib would keep in the home
# directory goes under build/ instead, and the kernelspec used is one
# installed into build/jupyter by /usr/bin/python3 itself, so the result
# does not depend on the user's ~/.local, ~/.jupyter or ~/.ipython.
#
# Prints one line per notebook and a closing "notebooks: N passed, N failed"
# line; exits 1 if any cell of any notebook raised, or if a notebook in
# notebooks/ is stored with outputs.
#
# notebooks.sh --clear NOTEBOOK... strips outputs, execution counts and
# execution times in place (what `make notebooks-clear` runs before a commit).
set -u
PYTHON=/usr/bin/python3

if [ "${1:-}" = --clear ]; then
    shift
    exec "$PYTHON" - "$@" <<'PY'
import sys, nbformat
for path in sys.argv[1:]:
    nb = nbformat.read(path, 4)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.metadata["language_info"] = {"name": nb.metadata.get("language_info", {}).get("name", "python")}
    nbformat.write(nb, path)
    print("cleared", path)
PY
fi
BUILD=${BUILD:-build}
mkdir -p "$BUILD/notebooks" "$BUILD/figures" "$BUILD/jupyter"
jdir=$(cd "$BUILD/jupyter" && pwd)
# the notebooks' inputs and figures (their defaults are the same under ./build)
export TWSIM_NB_DATA=${TWSIM_NB_DATA:-$(cd "$BUILD" && pwd)/notebook-data}
export TWSIM_NB_FIGURES=${TWSIM_NB_FIGURES:-$(cd "$BUILD/figures" && pwd)}

# A python3 kernelspec whose argv[0] is /usr/bin/python3, first on JUPYTER_PATH.
spec=$jdir/share/jupyter/kernels/python3/kernel.json
if [ ! -f "$spec" ]; then
    "$PYTHON" -m ipykernel install --prefix "$jdir" --name python3 >"$jdir/install.log" 2>&1 || {
        echo "FAIL installing the python3 kernelspec into $jdir:"; sed 's/^/     | /' "$jdir/install.log"; exit 1; }
fi
export JUPYTER_PATH=$jdir/share/jupyter
export JUPYTER_CONFIG_DIR=$jdir/config
export JUPYTER_DATA_DIR=$jdir/data
export JUPYTER_RUNTIME_DIR=$jdir/runtime
export IPYTHONDIR=$jdir/ipython
export MPLCONFIGDIR=$jdir/matplotlib
# debugpy (loaded with ipykernel) warns about frozen modules on every start
export PYDEVD_DISABLE_FILE_VALIDATION=1
kernel=$("$PYTHON" -c 'from jupyter_client.kernelspec import KernelSpecManager as K; print(K().get_kernel_spec("python3").argv[0])' 2>"$jdir/kernelspec.log")
if [ "$kernel" != "$PYTHON" ]; then
    echo "FAIL the python3 kernelspec runs '$kernel', not $PYTHON"; sed 's/^/     | /' "$jdir/kernelspec.log"; exit 1
fi

pass=0
fail=0
for nb in "$@"; do
    name=$(basename "$nb" .ipynb)
    log=$BUILD/notebooks/$name.log
    # commit hygiene: the stored notebook carries no outputs
    if ! "$PYTHON" -c 'import sys, nbformat
nb = nbformat.read(sys.argv[1], 4)
sys.exit(any(c.get("outputs") or c.get("execution_count") or "execution" in c.metadata for c in nb.cells if c.cell_type == "code"))' "$nb"; then
        fail=$((fail + 1))
        echo "FAIL $nb is stored with outputs: run make notebooks-clear (or clear them in Jupyter) before committing"
        continue
    fi
    start=$(date +%s.%N)
    if "$PYTHON" -m nbconvert --to notebook --execute \
        --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 \
        --output-dir "$BUILD/notebooks" --output "$name" "$nb" >"$log" 2>&1; then
        secs=$(echo "$(date +%s.%N) $start" | awk '{printf "%.1f", $1 - $2}')
        pass=$((pass + 1))
        echo "ok   $nb executed in ${secs} s -> $BUILD/notebooks/$name.ipynb"
    else
        fail=$((fail + 1))
        echo "FAIL $nb (the failing cell and its error; the whole traceback is in $log):"
        esc=$(printf '\033')
        sed "s/$esc\[[0-9;]*m//g" "$log" | awk '
            /An error occurred while executing the following cell/ { on = 1 }
            on { print; if ($0 ~ /^-+$/ && ++dashes == 2) on = 0; next }
            { tail[NR % 3] = $0; n = NR }
            END { for (i = n - 2; i <= n; i++) if (i > 0 && tail[i % 3] != "") print tail[i % 3] }' |
            uniq | head -n 40 | sed 's/^/     | /'
    fi
done
echo "notebooks: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
