#!/usr/bin/python3
"""docs_figures.py - the figures quoted in the docs, computed from runs.

A figure quoted in docs/*.md is marked (docs/figures.md):

    <!-- fig NAME -->1,054            <!-- fig NAME .1% -->19.8%

and NAME is defined in scripts/docs_figures_spec.py: a run (config,
--set overrides, seed, replicates), a per-replicate quantity read from the
run's HDF5 file and a statistic over the replicates (mean, p05, p95, the
share of replicates at or above a threshold, ...), or a function of other
figures.

usage:
  docs_figures.py write [FILE.md ...]   run every needed run at the
        documented replicate count (cached in build/docs-figures/) and
        rewrite every marked number in place
  docs_figures.py check [FILE.md ...]   run the same runs at the spec's
        small check counts and fail, naming the figure, FILE:LINE, the
        quoted and the computed value, when a quoted number lies outside
        the figure's tolerance
  docs_figures.py list                  every figure and its run
  docs_figures.py command [RUN ...]     the shell command of each run
        (all without RUN), to paste: build/twsim run ... -o build/RUN.h5
  docs_figures.py selftest              the marker and format rules alone
  docs_figures.py runnable FILE.md DIR  write every command block of
        FILE.md (```sh, bash, shell or console) that is not marked
        <!-- not-runnable: WHY ... --> to DIR/block-LINE.sh, with set -e
        and 4 replicates, and print one line per block: LINE run,
        LINE unmarked or LINE skip WHY ... (tests/docs_figures_test.sh
        runs them in a scratch directory, docs/figures.md)

Without files: docs/calibration.md and docs/regions.md.

Environment: TWSIM (default build/twsim), DOCS_FIGURES_CACHE (default
build/docs-figures), DOCS_FIGURES_THREADS (default 2).

Tolerance of a figure in `check`: the half unit of its last printed digit
(the quoted number is rounded) plus 4 standard errors of the difference
between the check's estimate (n replicates) and the documented one
(N replicates), the standard error estimated from the check run:
  mean          sd * sqrt(1/n + 1/N)
  p05, p95      2.11 * sd * sqrt(1/n + 1/N)   (normal approximation:
                sqrt(p (1-p)) / phi(z_p) = 2.11 for p = 0.05)
  share >= t    sqrt(p (1-p) (1/n + 1/N)), p = (k+1)/(n+2)
  min / max of yearly means: the largest standard error of those years
  ("sensitivity", FIELD) of a run over the ranges: p_met or p_central of
                the target named as the quantity, read from the file's
                /sensitivity; the binomial SE of a share of n replicates
  a function of other figures: the linear propagation of theirs
A figure may also give its own tolerance (tol=, absolute).
"""
import hashlib
import math
import os
import re
import subprocess
import sys

import h5py
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DOCS = ["docs/calibration.md", "docs/regions.md"]
MINUS = "\u2212"

# The marker: an HTML comment (hidden on GitHub, also in table cells)
# naming the figure and, optionally, its format, then the number it
# stands before. A number: optional sign, digits (commas only between
# groups of three, so that a comma after the number stays text),
# optional decimals, optional percent sign.
MARKER = re.compile(
    r"<!--\s*fig\s+(?P<name>[A-Za-z0-9_.\-]+)(?:\s+(?P<fmt>\S+))?\s*-->"
    r"(?P<num>[+\-\u2212]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?%?)?")


# ---- formats -----------------------------------------------------------------
# ,        integer with thousands separators (default): 1,054
# plain    integer without separators: 1054
# ~N       rounded to a multiple of N, with separators: 160
# .Nf      N decimals: 0.89
# .N%      a share as a percentage with N decimals: 19.8%
# +.N%     the same with its sign: +1.5%, −6.3%
# .Np      a share in percentage points, without the % sign: 1.2
# A negative number is written with U+2212 (−), as the docs write it.

def _fmt_parts(fmt):
    fmt = fmt or ","
    m = re.fullmatch(r"(\+?)\.(\d)([f%p])", fmt)
    if m:
        return ("dec", m.group(1) == "+", int(m.group(2)), m.group(3))
    m = re.fullmatch(r"~(\d+)", fmt)
    if m:
        return ("round", False, int(m.group(1)), None)
    if fmt in (",", "plain"):
        return (fmt, False, 0, None)
    raise ValueError(f"unknown format {fmt!r}")


def fmt_value(x, fmt):
    kind, signed, n, unit = _fmt_parts(fmt)
    if kind == "dec":
        v = x * 100 if unit in "%p" else x
        s = f"{v:+.{n}f}" if signed else f"{v:.{n}f}"
        if unit == "%":
            s += "%"
    elif kind == "round":
        s = f"{int(round(x / n)) * n:,}"
    elif kind == "plain":
        s = f"{int(round(x))}"
    else:
        s = f"{int(round(x)):,}"
    if re.fullmatch(r"[+\-]0(\.0*)?%?", s):   # no sign on a rounded zero
        s = s[1:] if not signed else "+" + s[1:]
    return s.replace("-", MINUS)


def parse_value(s, fmt):
    kind, _, _, unit = _fmt_parts(fmt)
    v = float(s.replace(MINUS, "-").replace(",", "").replace("%", ""))
    if kind == "dec" and unit in "%p":
        v /= 100
    return v


def half_unit(fmt):
    """Half a unit of the last printed digit, in the figure's own units."""
    kind, _, n, unit = _fmt_parts(fmt)
    if kind == "dec":
        return 0.5 * 10 ** -n * (0.01 if unit in "%p" else 1)
    if kind == "round":
        return n / 2
    return 0.5


# ---- the spec's vocabulary ------------------------------------------------------

class Run:
    """One twsim run: config, --set overrides, seed, replicates for the
    docs (n) and for `make check` (n_check). The docs quote the config's
    own values: a run leaves its uncertain settings' ranges out
    (--no-uncertainty) unless ranges=True."""

    def __init__(self, config, sets=(), seed=None, n=100, n_check=40,
                 opts=(), ranges=False):
        self.config, self.sets, self.seed = config, list(sets), seed
        self.n, self.n_check = n, n_check
        self.opts = list(opts) + ([] if ranges else ["--no-uncertainty"])


class Data:
    """A run's output file, read once: the quantities of the spec are
    functions of a Data, returning one value per replicate (or a
    [replicate, year] array for the yearly statistics)."""

    def __init__(self, path):
        with h5py.File(path, "r") as f:
            self.names = list(f["metrics/name"].asstr()[:])
            self.years = [int(y) for y in f["years"][:]]
            self.traj = f["trajectories"][:]
            self.targets, self.quantities = {}, {}
            if "targets/name" in f:
                for i, t in enumerate(f["targets/name"].asstr()[:]):
                    self.targets[t] = f["targets/met"][:, i].astype(float)
                    self.quantities[t] = f["targets/quantity"][:, i].astype(float)
            # a run over the config's ranges: twsim's variance-based
            # sensitivity of each target (scalars of the whole run)
            self.sens = {}
            if "sensitivity/target" in f:
                g = f["sensitivity"]
                settings = list(g["setting"].asstr()[:])
                point = f["uncertainty/point"][:]
                for i, t in enumerate(g["target"].asstr()[:]):
                    e = {k: float(g[k][i]) for k in
                         ("p_met", "p_central", "p_cond_p10", "p_cond_p90",
                          "random_share")}
                    for j, sname in enumerate(settings):
                        e[("share", sname)] = (float(g["first_order"][i, j]),
                                               float(g["first_order_se"][i, j]))
                    e["q"] = _shrunk_points(point, self.targets.get(t))
                    e["random_se"] = _random_share_se(
                        point, self.quantities.get(t))
                    self.sens[t] = e
            self.counties, self.county_traj = [], None
            if "by_county/trajectories" in f:
                self.counties = list(f["by_county/county"].asstr()[:])
                self.county_names = list(f["by_county/metric"].asstr()[:])
                self.county_traj = f["by_county/trajectories"][:]
        self.path = path
        self.n = self.traj.shape[0]

    def col(self, metric):
        """metric, or several joined by '+' (summed)."""
        out = 0
        for m in metric.split("+"):
            if m not in self.names:
                raise KeyError(f"{self.path}: no metric {m!r}")
            out = out + self.traj[:, :, self.names.index(m)]
        return out

    def yi(self, year):
        if year not in self.years:
            raise KeyError(f"{self.path}: no year {year} ({self.years[0]}-{self.years[-1]})")
        return self.years.index(year)

    def at(self, metric, year):
        return self.col(metric)[:, self.yi(year)]

    def sum(self, metric, y0, y1):
        return self.col(metric)[:, self.yi(y0):self.yi(y1) + 1].sum(axis=1)

    def each(self, metric, y0, y1):
        return self.col(metric)[:, self.yi(y0):self.yi(y1) + 1]

    def met(self, target):
        return self.targets[target]

    def quantity(self, target):
        """the target's quantity per replicate (the worst county's for a
        target of each county)"""
        return self.quantities[target]

    def county(self, metric, county, year):
        """a metric of one county (by_county), in one year"""
        if county not in self.counties or metric not in self.county_names:
            raise KeyError(f"{self.path}: no county row {county!r} / {metric!r}")
        return self.county_traj[:, self.yi(year), self.counties.index(county),
                                self.county_names.index(metric)]


# quantities: small constructors for the spec's table
def at(metric, year):
    return lambda d: d.at(metric, year)


def total(metric, y0, y1):
    return lambda d: d.sum(metric, y0, y1)


def each(metric, y0, y1):
    return lambda d: d.each(metric, y0, y1)


class Figure:
    def __init__(self, name, run=None, q=None, stat="mean", of=None,
                 fn=None, tol=None):
        self.name, self.run, self.q, self.stat = name, run, q, stat
        self.of, self.fn, self.tol = of, fn, tol


# ---- computing -----------------------------------------------------------------

def _shrunk_points(point, met):
    """The shrunk P(met | point) of every parameter point (docs/sensitivity.md,
    "P(met | point)"), sorted, with the raw shares of the points, sorted, and
    their mean: what the band's percentiles are taken from, and the two
    ends the shrinkage moves them between."""
    if met is None:
        return None
    ids = np.unique(point)
    p = np.array([met[point == j].mean() for j in ids])
    m = np.array([np.sum(point == j) for j in ids], dtype=float)
    ok = m > 1
    if len(p) < 2 or not ok.any():
        return None
    noise = float(np.mean(p[ok] * (1 - p[ok]) / (m[ok] - 1)))
    v_obs = float(np.var(p, ddof=1))
    c = math.sqrt(max(0.0, v_obs - noise) / v_obs) if v_obs > 0 else 0.0
    return (np.sort(p.mean() + c * (p - p.mean())), np.sort(p), float(p.mean()))


def _random_share_se(point, y, boots=200):
    """Bootstrap (over the parameter points, fixed seed) standard error of
    random_share = mean within-point variance / Var(y) (docs/sensitivity.md)."""
    if y is None:
        return float("nan")
    ok = ~np.isnan(y)
    ids = np.unique(point[ok])
    groups = [y[ok][point[ok] == j] for j in ids]
    groups = [g for g in groups if len(g) > 1]
    if len(groups) < 2:
        return float("nan")
    rng = np.random.default_rng(12345)
    out = []
    for _ in range(boots):
        pick = [groups[i] for i in rng.integers(0, len(groups), len(groups))]
        allv = np.concatenate(pick)
        vy = float(np.var(allv, ddof=1))
        if vy > 0:
            out.append(np.mean([np.var(g, ddof=1) for g in pick]) / vy)
    return float(np.std(out, ddof=1)) if len(out) > 1 else float("nan")


def _band_se(pts, prob, n_doc_points, n_check):
    """A standard error for the check of a percentile of the points' shrunk
    P(met | point), as +/- 4 SE around the interval it spans:
    - the distribution-free interval of the percentile: the order
      statistics at prob +/- 4 sd of the sample fraction (for both the
      check's and the documented number of points), of the shrunk values
      and of the raw ones, with the mean, since with few points the
      shrinkage factor itself is noisy and can put the percentile anywhere
      from the raw one to the mean (docs/sensitivity.md);
    - and no narrower than the binomial SE of P(met) over the check's
      replicates, which the whole band moves with."""
    q, raw, pbar = pts
    n = len(q)
    d = 4 * math.sqrt(prob * (1 - prob) * (1 / n + 1 / n_doc_points))
    a, b = max(0.0, prob - d), min(1.0, prob + d)
    lo = min(float(np.quantile(q, a)), float(np.quantile(raw, a)), pbar)
    hi = max(float(np.quantile(q, b)), float(np.quantile(raw, b)), pbar)
    pt = (pbar * n_check + 1) / (n_check + 2)
    return math.hypot((hi - lo) / 8, math.sqrt(pt * (1 - pt) / n_check))


def _z_factor(p):
    z = {0.05: 1.6449, 0.95: 1.6449}[p]
    return math.sqrt(p * (1 - p)) / (math.exp(-z * z / 2) / math.sqrt(2 * math.pi))


def _stat(x, stat, n_doc):
    """value and standard error of the difference from an N-replicate
    estimate, for one statistic of the per-replicate values x."""
    n = len(x)
    k = math.sqrt(1 / n + 1 / n_doc)
    sd = float(np.std(x, ddof=1)) if n > 1 else 0.0
    if stat == "mean":
        return float(np.mean(x)), sd * k
    if stat in ("p05", "p95"):
        p = 0.05 if stat == "p05" else 0.95
        return float(np.quantile(x, p)), _z_factor(p) * sd * k
    if isinstance(stat, tuple) and stat[0] == "ge":
        hits = float(np.sum(x >= stat[1]))
        pt = (hits + 1) / (n + 2)
        return hits / n, math.sqrt(pt * (1 - pt)) * k
    raise ValueError(f"unknown statistic {stat!r}")


class Computer:
    def __init__(self, spec, mode, threads):
        self.spec, self.mode, self.threads = spec, mode, threads
        self.data, self.values = {}, {}
        self.cache = os.environ.get("DOCS_FIGURES_CACHE",
                                    os.path.join(ROOT, "build", "docs-figures"))
        self.twsim = os.environ.get("TWSIM", os.path.join(ROOT, "build", "twsim"))

    def _key(self, run, n):
        h = hashlib.sha256()
        with open(self.twsim, "rb") as f:
            h.update(f.read())
        cfgdir = os.path.dirname(os.path.join(ROOT, run.config))
        for fn in sorted(os.listdir(cfgdir)):
            if fn.endswith(".cfg"):
                with open(os.path.join(cfgdir, fn), "rb") as f:
                    h.update(fn.encode() + f.read())
        h.update(repr((run.config, run.sets, run.seed, n, run.opts)).encode())
        return h.hexdigest()[:16]

    def run_data(self, rname):
        if rname in self.data:
            return self.data[rname]
        run = self.spec.RUNS[rname]
        n = run.n if self.mode == "write" else run.n_check
        os.makedirs(self.cache, exist_ok=True)
        out = os.path.join(self.cache, f"{rname}-{n}-{self._key(run, n)}.h5")
        if not os.path.exists(out):
            # a file of this process's own, renamed when complete, so that
            # two checks at once neither collide nor read a partial file
            tmp = out[:-3] + f".tmp{os.getpid()}.h5"
            cmd = [self.twsim, "run", os.path.join(ROOT, run.config), "-n", str(n),
                   "-q", "--threads", str(self.threads), "-o", tmp]
            if run.seed is not None:
                cmd += ["--seed", str(run.seed)]
            for s in run.sets:
                cmd += ["--set", s]
            cmd += run.opts
            print(f"  TWSIM   {rname} ({n} replicates)", file=sys.stderr)
            for p in (tmp, tmp + ".partial"):
                if os.path.exists(p):
                    os.remove(p)
            r = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                raise RuntimeError(f"run {rname} failed (exit {r.returncode}):\n"
                                   + " ".join(cmd) + "\n" + r.stderr)
            os.replace(tmp, out)
            # older versions of the same run (another binary or config)
            # are of no further use
            for fn in os.listdir(self.cache):
                if (fn.startswith(f"{rname}-{n}-") and fn.endswith(".h5")
                        and ".tmp" not in fn
                        and os.path.join(self.cache, fn) != out):
                    os.remove(os.path.join(self.cache, fn))
        self.data[rname] = Data(out)
        return self.data[rname]

    def value(self, name):
        """(value, standard error of the check's difference) of a figure."""
        if name in self.values:
            return self.values[name]
        fig = self.spec.FIGURES.get(name)
        if fig is None:
            raise KeyError(f"no figure {name!r} in scripts/docs_figures_spec.py")
        if fig.of is not None:
            parts = [self.value(o) for o in fig.of]
            xs = [p[0] for p in parts]
            v = float(fig.fn(*xs))
            var = 0.0
            for i, (x, se) in enumerate(parts):
                h = max(abs(x), 1.0) * 1e-6
                ys = list(xs)
                ys[i] = x + h
                var += ((float(fig.fn(*ys)) - v) / h * se) ** 2
            res = (v, math.sqrt(var))
        elif isinstance(fig.stat, tuple) and fig.stat[0] == "sensitivity":
            # a share of the run's replicates from /sensitivity (p_met over
            # the ranges, p_central at the written values), n replicates
            # each: the binomial SE, as for a share >= t
            d = self.run_data(fig.run)
            n_doc = self.spec.RUNS[fig.run].n
            e = d.sens[fig.q]
            field = fig.stat[1] if len(fig.stat) == 2 else fig.stat[1:]
            same = d.n == n_doc          # the documented run itself: exact
            if field in ("p_met", "p_central"):
                v = e[field]
                pt = (round(v * d.n) + 1) / (d.n + 2)
                res = (v, math.sqrt(pt * (1 - pt) * (1 / d.n + 1 / n_doc)))
            elif field in ("p_cond_p10", "p_cond_p90"):
                # the band of P(met | point); the points are n / per_point
                v = e[field]
                n_pts = len(e["q"][0]) if e["q"] is not None else 0
                if same or n_pts < 2:
                    res = (v, 0.0)
                else:
                    doc_pts = n_pts * n_doc / d.n
                    prob = 0.1 if field == "p_cond_p10" else 0.9
                    res = (v, _band_se(e["q"], prob, doc_pts, d.n))
            elif field == "random_share" or field[0] == "share":
                # a variance share: twsim's bootstrap SE at the check's
                # points, and the documented run's (SE ~ 1/sqrt(points))
                if field == "random_share":
                    v, se = e[field], e["random_se"]
                else:
                    v, se = e[field]
                res = (v, 0.0 if same else se * math.sqrt(1 + d.n / n_doc))
            else:
                raise ValueError(f"unknown sensitivity field {field!r}")
        else:
            d = self.run_data(fig.run)
            n_doc = self.spec.RUNS[fig.run].n
            x = np.asarray(fig.q(d), dtype=float)
            if fig.stat in ("ymin", "ymax"):
                per = [_stat(x[:, j], "mean", n_doc) for j in range(x.shape[1])]
                vals = [p[0] for p in per]
                j = int(np.argmin(vals) if fig.stat == "ymin" else np.argmax(vals))
                res = (vals[j], max(p[1] for p in per))
            else:
                res = _stat(x, fig.stat, n_doc)
        if fig.tol is not None:
            res = (res[0], fig.tol / 4)
        self.values[name] = res
        return res


# ---- the documents ---------------------------------------------------------------

def markers(path):
    """(line number, match) of every marker outside fenced code blocks."""
    out, fenced = [], False
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for i, line in enumerate(lines, 1):
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.extend((i, m) for m in MARKER.finditer(line))
    return lines, out


# ---- the documents' command blocks ----------------------------------------------
# Every fenced block whose info string is a shell (sh, bash, shell, console)
# is a command block. The line before its fence may mark it:
#   <!-- runnable -->                    make check runs it
#   <!-- not-runnable: WHY more words -->  make check skips it; WHY is one word
#        (mpi, slurm, long, network, recursive, ...) that the check counts
# An unmarked command block is run too, and listed as unmarked.
SHELL_FENCE = re.compile(r"\s*```(sh|bash|shell|console)\s*")
MARK = re.compile(r"\s*<!--\s*(runnable|not-runnable:\s*(?P<why>[A-Za-z][\w-]*)(?P<more>.*?))\s*-->\s*")
RUN_COMMANDS = r"(?:run|sweep|optimize|sensitivity)"


def command_blocks(path):
    """(fence line, info string, mark, why, body lines) of every command block."""
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    out, i = [], 0
    while i < len(lines):
        m = re.fullmatch(r"(\s*)```(\S*).*", lines[i])
        if not m:
            i += 1
            continue
        indent, info, j = m.group(1), m.group(2), i + 1
        while j < len(lines) and not re.fullmatch(re.escape(indent) + r"```\s*", lines[j]):
            j += 1
        if SHELL_FENCE.fullmatch(lines[i]):
            mk = MARK.fullmatch(lines[i - 1]) if i > 0 else None
            mark = None if mk is None else "run" if mk.group(1) == "runnable" else "skip"
            why = (mk.group("why"), mk.group("more").strip()) if mark == "skip" else None
            body = [ln[len(indent):] if ln.startswith(indent) else ln.lstrip()
                    for ln in lines[i + 1:j]]
            out.append((i + 1, info, mark, why, body))
        i = j + 1
    return out


def block_script(info, body):
    """The shell script of a command block: its commands (the "$ " lines of
    a console transcript, with their continuation lines), run with set -e,
    the replicates of every twsim run, sweep, optimize and sensitivity made
    4 (-n N, --replicates N; -n 4 added where a config is run without)."""
    if info == "console":
        cmds, cont = [], False
        for ln in body:
            if ln.startswith("$ ") or cont:
                cmds.append(ln[2:] if ln.startswith("$ ") and not cont else ln)
                cont = ln.rstrip().endswith("\\")
        body = cmds
    text = "\n".join(body) + "\n"
    text = re.sub(r"(?<=\s)(-n|--replicates)\s+\d+(?=[\s;)]|$)", "-n 4", text)
    # one logical line per command: a config run without -n gets -n 4
    logical = re.split(r"(?<!\\)\n", text)
    for k, ln in enumerate(logical):
        m = re.search(r"(?:^|[\s;&|(])(?:\S*/)?twsim(?:-mpi)?\s+" + RUN_COMMANDS + r"(?=\s)", ln)
        if m and ".cfg" in ln and not re.search(r"(?<=\s)(-n|--replicates)\s+\d", ln):
            logical[k] = ln[:m.end()] + " -n 4" + ln[m.end():]
    return "set -e\n" + "\n".join(logical)


def runnable(path, outdir):
    """Write every command block of PATH that is to run to
    OUTDIR/block-LINE.sh; print one line per command block, in order:
    LINE run | LINE unmarked | LINE skip WHY [more words]."""
    for line, info, mark, why, body in command_blocks(path):
        if mark == "skip":
            print(line, "skip", why[0], why[1].lstrip(":").strip())
            continue
        with open(os.path.join(outdir, "block-%d.sh" % line), "w", encoding="utf-8") as f:
            f.write(block_script(info, body))
        print(line, "run" if mark == "run" else "unmarked")
    return 0


def command(spec, rname):
    """The shell command of a run of the spec, to paste."""
    import shlex
    run = spec.RUNS[rname]
    cmd = ["build/twsim", "run", run.config, "-n", str(run.n),
           "-o", f"build/{rname}.h5"]
    if run.seed is not None:
        cmd += ["--seed", str(run.seed)]
    for s in run.sets:
        cmd += ["--set", s]
    cmd += run.opts
    return " ".join(shlex.quote(c) for c in cmd)


def selftest():
    """The marker and the formats, on made-up text (no run)."""
    cases = [(1014.26, ",", "1,014"), (1014.26, "plain", "1014"),
             (164.04, "~10", "160"), (0.8947, ".2f", "0.89"),
             (0.19764, ".1%", "19.8%"), (-0.0628, "+.1%", "\u22126.3%"),
             (0.0159, "+.1%", "+1.6%"), (-0.0001, ".1%", "0.0%"),
             (0.01183, ".1p", "1.2"), (-12.4, ",", "\u221212")]
    bad = 0
    for v, fmt, want in cases:
        got = fmt_value(v, fmt)
        back = parse_value(got, fmt)
        if got != want or abs(back - v) > half_unit(fmt) + 1e-12:
            print(f"FAIL format {v} {fmt!r}: {got!r} (want {want!r}), read back {back}")
            bad += 1
    line = ("at <!-- fig a -->168, <!-- fig b .1% -->19.8% and "
            "<!-- fig c -->1,054 (<!-- fig d -->) <!-- fig e ~10 -->\u22121,230.")
    got = [(m.group("name"), m.group("fmt"), m.group("num"))
           for m in MARKER.finditer(line)]
    want = [("a", None, "168"), ("b", ".1%", "19.8%"), ("c", None, "1,054"),
            ("d", None, None), ("e", "~10", "\u22121,230")]
    if got != want:
        print(f"FAIL markers: {got}")
        bad += 1
    # the command blocks: which run, what is skipped, and the script of each
    import tempfile
    doc = "\n".join([
        "<!-- runnable -->", "```sh", "build/twsim run configs/a.cfg -n 100 -o build/a.h5 \\",
        "  --set x=1", "twsim check build/a.h5", "```",
        "<!-- not-runnable: mpi (needs mpirun) -->", "```sh", "mpirun -np 8 build/twsim-mpi run x", "```",
        "```", "twsim run CONFIG", "```",                       # not a command block
        "- a list item:", "", "  ```console",
        "  $ twsim sweep configs/a.cfg --values 1,2 \\", "      --lever k", "  output line",
        "  $ twsim sensitivity a.h5", "  $ twsim run configs/a.cfg --replicates 0:50", "  ```", ""])
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "doc.md"), "w", encoding="utf-8") as f:
            f.write(doc)
        got = [(ln, info, mark, why[0] if why else None)
               for ln, info, mark, why, _ in command_blocks(os.path.join(d, "doc.md"))]
        want = [(2, "sh", "run", None), (8, "sh", "skip", "mpi"), (16, "console", None, None)]
        scripts = [block_script(info, body) for _, info, _, _, body in
                   command_blocks(os.path.join(d, "doc.md"))]
    want_scripts = [
        "set -e\nbuild/twsim run configs/a.cfg -n 4 -o build/a.h5 \\\n  --set x=1\ntwsim check build/a.h5\n",
        None,
        "set -e\ntwsim sweep -n 4 configs/a.cfg --values 1,2 \\\n    --lever k\ntwsim sensitivity a.h5\n"
        "twsim run configs/a.cfg --replicates 0:50\n"]         # not a count: left as written
    for k, (g, w) in enumerate(zip(scripts, want_scripts)):
        if w is not None and g != w:
            print(f"FAIL command block {k}: {g!r} (want {w!r})")
            bad += 1
    if got != want:
        print(f"FAIL command blocks: {got} (want {want})")
        bad += 1
    n = len(cases) + 3
    print(f"self-test: {n - bad} of {n} passed")
    return 1 if bad else 0


def load_spec():
    sys.dont_write_bytecode = True      # no __pycache__ in scripts/
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import docs_figures_spec as spec
    return spec


def main(argv):
    if len(argv) < 2 or argv[1] not in ("write", "check", "list", "runnable",
                                        "command", "selftest"):
        print(__doc__, file=sys.stderr)
        return 2
    mode = argv[1]
    if mode == "selftest":
        return selftest()
    if mode == "runnable" and len(argv) == 4:
        return runnable(argv[2], argv[3])
    spec = load_spec()
    if mode == "command":
        for rname in argv[2:] or spec.RUNS:
            if rname not in spec.RUNS:
                print(f"no run {rname!r} in the spec", file=sys.stderr)
                return 2
            print(command(spec, rname))
        return 0
    if mode == "list":
        for name, fig in spec.FIGURES.items():
            print(name, fig.run or "= f(" + ", ".join(fig.of) + ")")
        return 0
    files = argv[2:] or DEFAULT_DOCS
    comp = Computer(spec, mode, int(os.environ.get("DOCS_FIGURES_THREADS", "2")))
    bad, checked = 0, 0
    fails = []
    for rel in files:
        path = os.path.join(ROOT, rel) if not os.path.isabs(rel) else rel
        lines, found = markers(path)
        changed = False
        for lineno, m in reversed(found):
            name, fmt, num = m.group("name"), m.group("fmt"), m.group("num")
            where = f"{rel}:{lineno}"
            if mode == "check":
                checked += 1
                if lines[lineno - 1][:m.start()].strip() == "":
                    # CommonMark would start a raw HTML block there: the
                    # line would not be part of its paragraph or list item
                    fails.append((rel, lineno, f"FAIL {where}: {name}: a marker "
                                  "must not begin a line (Markdown takes the line "
                                  "as raw HTML); move a word before it"))
                    bad += 1
                    continue
            try:
                _fmt_parts(fmt)
                v, se = comp.value(name)
            except (KeyError, ValueError, RuntimeError) as e:
                fails.append((rel, lineno, f"FAIL {where}: {name}: {e}"))
                bad += 1
                continue
            new = fmt_value(v, fmt)
            if mode == "write":
                if num != new:
                    line = lines[lineno - 1]
                    if num is None:
                        a = b = m.end()
                    else:
                        a, b = m.start("num"), m.end("num")
                    lines[lineno - 1] = line[:a] + new + line[b:]
                    print(f"{where}: {name}: {num} -> {new}")
                    changed = True
                continue
            if num is None:
                fails.append((rel, lineno, f"FAIL {where}: {name}: no number after the marker"))
                bad += 1
                continue
            tol = half_unit(fmt) + 4 * se
            q = parse_value(num, fmt)
            if abs(q - v) > tol:
                fig = spec.FIGURES[name]
                reps = (f"{spec.RUNS[fig.run].n_check} replicates" if fig.run
                        else "derived")
                fails.append((rel, lineno,
                              f"FAIL {where}: {name}: quoted {num}, computed {new} "
                              f"({v:.6g}; tolerance {tol:.3g}, {reps})"))
                bad += 1
        if mode == "write" and changed:
            with open(path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
    for _, _, msg in sorted(fails, key=lambda f: (files.index(f[0]), f[1])):
        print(msg)
    if mode == "check":
        print(f"docs figures: {checked - bad} of {checked} "
              f"quoted figures within tolerance, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
