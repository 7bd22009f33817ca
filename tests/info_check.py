"""info_check.py - compare what `twsim info` printed with h5py reads of
the same file.

    info_check.py table FILE OUTPUT COUNTY METRICS
        OUTPUT is `twsim info FILE [--county COUNTY] [--metrics METRICS]`;
        COUNTY "-" for the region, METRICS "-" for the default set. Every
        metric asked for is there with every year of the file, and each
        mean, p05 and p95 equals /summary (or /by_county/summary for the
        county) to the printed precision.
    info_check.py schools FILE OUTPUT TOP COUNTY
        OUTPUT is `twsim info FILE --schools --top TOP` (or `twsim check`);
        the rows are the TOP schools with the highest P(short) in the last
        year (ties: lower mean surplus, then index), of COUNTY ("-": all),
        with the labels and values of /schools.

Prints "info_check: OK" or the first mismatch (exit 1).
"""
import re
import sys

import h5py

# the default set of `twsim info --county` (src/cli/cli_info.c), those
# the file has
DEFAULT = ["teachers.total", "teachers.bianzhi", "teachers.contract",
           "establishment.cap", "establishment.used", "establishment.room",
           "gap.total", "posts.unfilled", "hires.total", "exits.total"]

NUM = r"(-?\d+(?:\.\d+)?)"


def fail(msg):
    print("info_check: " + msg)
    sys.exit(1)


def close(printed, value, unit):
    # the table prints shares to 3 decimals, everything else to 1
    tol = 0.0005 if unit == "share" else 0.05
    return abs(printed - value) <= tol + 1e-9


def table(path, out, county, metrics):
    f = h5py.File(path, "r")
    names = list(f["metrics/name"].asstr()[:])
    units = list(f["metrics/unit"].asstr()[:])
    years = list(f["years"][:])
    if county == "-":
        s = {k: f["summary/" + k][:] for k in ("mean", "p05", "p95")}
    else:
        counties = list(f["by_county/county"].asstr()[:])
        c = counties.index(county)
        s = {k: f["by_county/summary/" + k][:, c, :]
             for k in ("mean", "p05", "p95")}
    if metrics == "-":
        want = [m for m in DEFAULT if m in names]
    elif metrics == "all":
        want = names
    else:
        want = metrics.split(",")
    row = re.compile(r"^(\S+)?\s+(\d{4})\s+" + NUM + r"\s+" + NUM + " - " +
                     NUM + r"\s+(\S+)")
    seen = {}
    current = None
    for line in out:
        if line.startswith("metric"):
            continue
        r = row.match(line)
        if r is None:
            continue
        if r.group(1):
            current = r.group(1)
        m = names.index(current)
        y = years.index(int(r.group(2)))
        if r.group(6) != units[m]:
            fail(f"{current}: unit {r.group(6)}, file {units[m]}")
        for k, g in (("mean", 3), ("p05", 4), ("p95", 5)):
            if not close(float(r.group(g)), s[k][y, m], units[m]):
                fail(f"{current} {years[y]} {k}: printed {r.group(g)}, "
                     f"file {s[k][y, m]!r}")
        seen.setdefault(current, []).append(years[y])
    if list(seen) != want:
        fail(f"metrics printed {list(seen)}, expected {want}")
    for m, ys in seen.items():
        if ys != years:
            fail(f"{m}: years {ys}, file {years}")
    print(f"info_check: OK ({len(want)} metrics x {len(years)} years)")


def schools(path, out, top, county):
    f = h5py.File(path, "r")
    g = f["schools"]
    p = g["p_short"][-1, :]
    mean = g["surplus_mean"][-1, :]
    p05 = g["surplus_p05"][-1, :]
    p95 = g["surplus_p95"][-1, :]
    lab = {k: list(g[k].asstr()[:]) for k in ("county", "stage", "locality")}
    idx = [i for i in range(len(p)) if p[i] > 0 and
           (county == "-" or lab["county"][i] == county)]
    idx.sort(key=lambda i: (-p[i], mean[i], i))
    want = idx[:top]
    row = re.compile(r"^\s*(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+" + NUM + r"\s+" +
                     NUM + r"\s+" + NUM + " - " + NUM + r"\s*$")
    got = []
    for line in out:
        r = row.match(line)
        if r is None:
            continue
        i = int(r.group(1))
        got.append(i)
        for k, gi in (("county", 2), ("stage", 3), ("locality", 4)):
            if r.group(gi) != lab[k][i]:
                fail(f"school {i}: {k} {r.group(gi)}, file {lab[k][i]}")
        for v, gi, unit in ((p, 5, "share"), (mean, 6, ""), (p05, 7, ""),
                            (p95, 8, "")):
            if not close(float(r.group(gi)), v[i], unit):
                fail(f"school {i}: printed {r.group(gi)}, file {v[i]!r}")
    if got != want:
        fail(f"schools listed {got}, expected {want}")
    if not want:
        fail("no school is short in this file: the test needs one")
    print(f"info_check: OK ({len(got)} schools)")


def main():
    kind, path, out_path = sys.argv[1:4]
    with open(out_path, encoding="utf-8") as fh:
        out = fh.read().splitlines()
    if kind == "table":
        table(path, out, sys.argv[4], sys.argv[5])
    else:
        schools(path, out, int(sys.argv[4]), sys.argv[5])


if __name__ == "__main__":
    main()
