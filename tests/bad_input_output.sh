# bad_input_output.sh - sourced by bad_input_test.sh (its expect, ok, bad,
# $TWSIM, $tmp, $work, $root): the output discipline of every command that
# writes (docs/robustness.md, "Writing files"). Each writer is given every
# path that cannot work or must not be replaced; each must refuse it
# before any work, with the device, FIFO, directory, config or foreign
# file left exactly as it was, and nothing else left behind.
#
# Device nodes are made with mknod in $tmp (as root, as in CI); the real
# /dev/null is never used.

mq=$root/tests/data/markov_quota.cfg
scfg=$root/tests/data/scenarios.cfg
inc=$root/tests/data/inc_main.cfg
o=$tmp/w
mkdir -p "$o/dir.h5"
mkfifo "$o/fifo.h5"
have_dev=0
mknod "$o/null" c 1 3 2>/dev/null && have_dev=1
printf 'notes\n' > "$o/notes.h5"
cp "$o/notes.h5" "$o/notes.orig"
cp "$mq" "$o/mq.cfg"

# untouched PATH: still a directory / FIFO / device / the same bytes
untouched() {
    case $1 in
    dir)   [ -d "$o/dir.h5" ] && [ -z "$(ls -A "$o/dir.h5")" ] ;;
    fifo)  [ -p "$o/fifo.h5" ] ;;
    dev)   [ -c "$o/null" ] ;;
    notes) cmp -s "$o/notes.h5" "$o/notes.orig" ;;
    cfg)   cmp -s "$o/mq.cfg" "$mq" ;;
    esac && [ -z "$(ls "$o" | grep -E '\.(partial|lock)$')" ]
}

# writer NAME CMD...: the writer's command line without -o
check_writer() {
    wname=$1; shift
    expect "$wname -o a directory: exit 1 before any work" 1 \
        "dir.h5: it is a directory, not a file" "$@" -o "$o/dir.h5"
    untouched dir && ok "$wname: the directory is untouched" || bad "$wname: the directory is untouched"
    expect "$wname -o DIR/: exit 1" 1 "it names a directory" "$@" -o "$o/dir.h5/"
    expect "$wname -o a FIFO: exit 1, not replaced" 1 "fifo.h5: it is a FIFO" "$@" -o "$o/fifo.h5"
    untouched fifo && ok "$wname: the FIFO is still a FIFO" || bad "$wname: the FIFO is still a FIFO"
    if [ "$have_dev" = 1 ]; then
        expect "$wname -o a device node: exit 1, not replaced" 1 "null: it is a device" "$@" -o "$o/null"
        untouched dev && ok "$wname: the device is still a device" || bad "$wname: the device is still a device"
    else
        skip=1; echo "skip $wname -o a device node: mknod not permitted"
    fi
    expect "$wname -o '': exit 1" 1 "the output file name is empty" "$@" -o ""
    expect "$wname -o a text file: exit 2, --force named" 2 \
        "notes.h5: it exists and is not a twsim output file.*--force" "$@" -o "$o/notes.h5"
    untouched notes && ok "$wname: the text file is unchanged" || bad "$wname: the text file is unchanged"
}

check_writer "run" "$TWSIM" run "$mq" -q
check_writer "run --all-scenarios" "$TWSIM" run "$scfg" -n 2 -q --all-scenarios
check_writer "sweep" "$TWSIM" sweep "$mq" --lever recruitment.annual_quota --values 10
check_writer "optimize" "$TWSIM" optimize "$mq" --lever recruitment.annual_quota --range 0:10

# lever_args WRITER: the rest of a quick command line of run, sweep, optimize
lever_args() {
    case $1 in
    run) echo "-q" ;;
    sweep) echo "--lever recruitment.annual_quota --values 10" ;;
    optimize) echo "--lever recruitment.annual_quota --range 0:10" ;;
    esac
}

# ---- the config and its @include files are never outputs, even with --force
for w in run sweep optimize; do
    args=$(lever_args $w)
    # shellcheck disable=SC2086
    expect "$w -o CONFIG --force: exit 2, the config kept" 2 "mq.cfg: it is the config file" \
        "$TWSIM" $w "$o/mq.cfg" $args --force -o "$o/mq.cfg"
    untouched cfg && ok "$w: the config is unchanged" || bad "$w: the config is unchanged"
done
cp -r "$root/tests/data/inc_main.cfg" "$root/tests/data/inc_part.cfg" "$o/"
cp "$o/inc_part.cfg" "$o/inc_part.orig"
expect "run -o an @included file --force: exit 2" 2 "inc_part.cfg: it is a file @included by the config" \
    "$TWSIM" run "$o/inc_main.cfg" -q --force -o "$o/inc_part.cfg"
cmp -s "$o/inc_part.cfg" "$o/inc_part.orig" && ok "run: the @included file is unchanged" || bad "run: the @included file is unchanged"
ln -s mq.cfg "$o/alias.h5"
expect "run -o a link to the config: exit 2" 2 "alias.h5: it is the config file" \
    "$TWSIM" run "$o/mq.cfg" -q --force -o "$o/alias.h5"
untouched cfg && ok "run: the config behind the link is unchanged" || bad "run: the config behind the link is unchanged"
rm -f "$o/alias.h5"

# ---- --force replaces a foreign file; a twsim file needs no --force
expect "run --force replaces a text file" 0 "" "$TWSIM" run "$mq" -q --force -o "$o/notes.h5"
expect "run over its own earlier output: no --force needed" 0 "" "$TWSIM" run "$mq" -q -o "$o/notes.h5"
cp "$o/notes.orig" "$o/notes.h5"

# ---- --resume checks a complete file like a partial one -------------------------
expect "--resume on a text file: exit 2, not 'already complete'" 2 \
    "notes.h5: it exists and is not a twsim output file" \
    "$TWSIM" run "$mq" -q --resume -o "$o/notes.h5"
untouched notes && ok "--resume: the text file is unchanged" || bad "--resume: the text file is unchanged"
"$TWSIM" run "$mq" -q --seed 7 -o "$o/s7.h5" >/dev/null 2>&1
cp "$o/s7.h5" "$o/s7.orig"
expect "--resume --seed 8 on a complete seed-7 file: exit 2" 2 "written by another seed" \
    "$TWSIM" run "$mq" -q --seed 8 --resume -o "$o/s7.h5"
expect "--resume -n 21 on a complete 20-replicate file: exit 2" 2 "another replicate count" \
    "$TWSIM" run "$mq" -q --seed 7 -n 21 --resume -o "$o/s7.h5"
expect "--resume with another --set on a complete file: exit 2" 2 "written by another config" \
    "$TWSIM" run "$mq" -q --seed 7 --set recruitment.annual_quota=5 --resume -o "$o/s7.h5"
expect "--resume of the same complete run: nothing to do" 0 "already complete" \
    "$TWSIM" run "$mq" -q --seed 7 --resume -o "$o/s7.h5"
cmp -s "$o/s7.h5" "$o/s7.orig" && ok "--resume: the complete file is unchanged" || bad "--resume: the complete file is unchanged"
mkfifo "$o/f2.h5.partial"
expect "--resume from a FIFO partial: exit 2, no hang" 2 "f2.h5.partial: it is not a regular file" \
    "$TWSIM" run "$mq" -q --resume -o "$o/f2.h5"
rm -f "$o/f2.h5.partial" "$o/s7.orig"

# ---- one writer at a time: the second is refused, the first's work kept ----------
"$TWSIM" run "$mq" -q -n 100000 -o "$o/busy.h5" >/dev/null 2>&1 &
first=$!
i=0
# the partial file appears once its whole layout is written (it is built
# as busy.h5.partial.tmp and renamed): then replicates are running
while [ ! -e "$o/busy.h5.partial" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
for w in run sweep optimize; do
    args=$(lever_args $w)
    # shellcheck disable=SC2086
    expect "$w to a path another run is writing: exit 1, the first named" 1 \
        "busy.h5 is being written by another twsim \\(pid $first" "$TWSIM" $w "$mq" $args -o "$o/busy.h5"
done
if kill -0 "$first" 2>/dev/null && [ -s "$o/busy.h5.partial" ]; then
    ok "the first run goes on, its partial file intact"
else
    bad "the first run goes on, its partial file intact"
fi
kill -INT "$first" 2>/dev/null; wait "$first"
expect "the first run's partial file resumes (-n 200 would differ: it is checked)" 2 \
    "another replicate count" "$TWSIM" run "$mq" -q -n 200 --resume -o "$o/busy.h5"
rm -f "$o/busy.h5" "$o/busy.h5.partial" "$o/busy.h5.lock"

# ---- compare --store never changes the file in place ------------------------------
"$TWSIM" run "$mq" -q -o "$o/A.h5" >/dev/null 2>&1
"$TWSIM" run "$mq" -q --set recruitment.annual_quota=100 -o "$o/B.h5" >/dev/null 2>&1
cp "$o/B.h5" "$o/B.orig"
(trap '' XFSZ; ulimit -f 64 && exec $to "$TWSIM" compare "$o/A.h5" "$o/B.h5" --store) >"$tmp/out" 2>&1
code=$?
if [ "$code" -eq 1 ] && grep -q "B.h5.partial.*File too large" "$tmp/out" &&
   cmp -s "$o/B.h5" "$o/B.orig" && [ ! -e "$o/B.h5.partial" ] && [ ! -e "$o/B.h5.lock" ]; then
    ok "compare --store under a file-size limit: exit 1, B.h5 unchanged, nothing left"
else
    echo "exit $code" >>"$tmp/out"; bad "compare --store under a file-size limit: exit 1, B.h5 unchanged, nothing left" "$tmp/out"
fi
expect "compare --store stores the comparison" 0 "" "$TWSIM" compare "$o/A.h5" "$o/B.h5" --store
if command -v h5ls >/dev/null 2>&1 && h5ls "$o/B.h5/comparisons" | grep -q "B-vs-A"; then
    ok "compare --store: /comparisons/B-vs-A is in B.h5"
else
    bad "compare --store: /comparisons/B-vs-A is in B.h5"
fi
rm -f "$o/A.h5" "$o/B.h5" "$o/B.orig"

# ---- optimize and sweep: scratch files under $TMPDIR, gone on every exit ----------
mkdir -p "$o/scratch"
expect "sweep with TMPDIR: the grid is written" 0 "Grid \\(2 points\\)" \
    env TMPDIR="$o/scratch" "$TWSIM" sweep "$mq" --lever recruitment.annual_quota --values 10,20 -o "$o/sw.h5"
[ -z "$(ls -A "$o/scratch")" ] && ok "sweep: its scratch directory is gone" || bad "sweep: its scratch directory is gone"
expect "optimize with a failing evaluation: exit 2, scratch gone" 2 "annual_quota" \
    env TMPDIR="$o/scratch" "$TWSIM" optimize "$mq" --lever recruitment.annual_quota --range -5:-1 -o "$o/op.h5"
[ -z "$(ls -A "$o/scratch")" ] && [ ! -e "$o/op.h5" ] && ok "optimize (failed): scratch gone, no output" ||
    bad "optimize (failed): scratch gone, no output"
for sig in INT TERM; do
    for w in sweep optimize; do
        case $w in
        sweep) args="--lever recruitment.annual_quota --values 10,20,30,40" ;;
        optimize) args="--lever recruitment.annual_quota --range 0:300" ;;
        esac
        # shellcheck disable=SC2086
        TMPDIR="$o/scratch" "$TWSIM" $w "$mq" $args -n 200000 -o "$o/sig.h5" >"$tmp/out" 2>&1 &
        pid=$!
        i=0
        while [ -z "$(ls "$o"/scratch/*/eval.h5.partial 2>/dev/null)" ] && [ $i -lt 200 ]; do
            sleep 0.05; i=$((i + 1))
        done
        kill -s $sig $pid
        wait $pid
        code=$?
        want=$([ $sig = INT ] && echo 130 || echo 143)
        if [ "$code" -eq "$want" ] && [ -z "$(ls -A "$o/scratch")" ] && [ ! -e "$o/sig.h5" ] &&
           [ ! -e "$o/sig.h5.partial" ] && [ ! -e "$o/sig.h5.lock" ]; then
            ok "$w stopped by SIG$sig: exit $want, no scratch file, no output"
        else
            echo "exit $code; left: $(ls -A "$o/scratch") $(ls "$o" | grep sig)" >>"$tmp/out"
            bad "$w stopped by SIG$sig: exit $want, no scratch file, no output" "$tmp/out"
            rm -rf "$o/scratch"/* "$o"/sig.h5*
        fi
    done
done
rm -rf "$o"
