#!/usr/bin/python3
"""xarray_check.py FILE.h5 [FILE.h5 ...] - every group of a twsim file opens
in xarray alone, labelled, and a run opens in pandas as a tidy table,
without twsim's code.

Every file, every group (walked with h5py, the root included):
xarray.open_dataset(FILE, engine="h5netcdf", group=G) opens it without
phony_dims; every dimension has a coordinate; every data variable has
`units` and `long_name`, every coordinate but an index a `long_name`;
strings are variable-length UTF-8; a coordinate named year, metric,
replicate, county or target equals the run's own (/years, /metrics/name,
/replicate, /by_county/county, /targets/target); along `metric`, the
coordinates units/long_name/label equal /metrics/unit, description, label.

A run (twsim_kind "run"): /trajectories has dimensions (replicate, year,
metric) with h5py's values; label selection gives a replicate series;
summary, targets, targets/by_county have their dimensions; Chinese tier
labels travel with the data; the tidy pandas table has one row per
replicate, year and metric. A scenario file: the root has the scenarios
along `scenario`, each equal to its group /scenarios/<name>.

An export (`twsim export --format tidy-h5`, twsim_kind "export") is
pandas' own table layout, not a netCDF one: it must open with
pd.read_hdf, with the tidy columns and no row twice.

Prints "xarray_check: OK ..." per file, or the problems and exit 1.
"""
import argparse
import sys
import warnings

import h5py
import numpy as np
import xarray as xr


def groups_of(raw):
    """Every group of the file, "/" first."""
    out = ["/"]
    raw.visititems(lambda n, o: out.append("/" + n)
                   if isinstance(o, h5py.Group) else None)
    return out


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def run_top(g):
    """The group holding the run a group belongs to."""
    parts = g.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "scenarios":
        return "/scenarios/" + parts[1]
    return "/"


def reference(raw, top, name):
    """The run's own coordinate values of dimension `name`, or None."""
    if top == "/" and "scenarios" in raw and "scenarios/base" in raw:
        top = "/scenarios/base"      # a scenario file's root and comparisons
    where = {"year": "years", "metric": "metrics/name",
             "replicate": "replicate", "county": "by_county/county",
             "target": "targets/target"}.get(name)
    path = top.rstrip("/") + "/" + where if where else None
    if path is None or path not in raw:
        return None
    d = raw[path]
    return d.asstr()[:] if h5py.check_string_dtype(d.dtype) else d[:]


def check_group(path, raw, g, problems):
    where = f"group {g}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = xr.open_dataset(path, engine="h5netcdf", group=g)
    except Exception as e:  # noqa: BLE001 - any failure to open is the finding
        problems.append(f"{where}: does not open without phony_dims: "
                        f"{type(e).__name__}: {str(e).splitlines()[0]}")
        return None
    for d in ds.dims:
        if d not in ds.coords:
            problems.append(f"{where}: dimension {d} has no coordinate")
    for v in ds.data_vars:
        for a in ("units", "long_name"):
            if a not in ds[v].attrs:
                problems.append(f"{where}: {v} has no {a}")
    for c in ds.coords:
        if c not in ds.dims and "long_name" not in ds[c].attrs:
            problems.append(f"{where}: coordinate {c} has no long_name")
    top = run_top(g)
    for d in ds.dims:
        ref = reference(raw, top, d)
        if d in ds.coords and ref is not None and len(ref) == ds.sizes[d] \
                and list(ds[d].values) != list(ref):
            problems.append(f"{where}: coordinate {d} differs from the run's")
    if "metric" in ds.dims and not g.rstrip("/").endswith("metrics"):
        mtop = top if top != "/" or "metrics" in raw else "/scenarios/base"
        for c, src in (("units", "unit"), ("long_name", "description"),
                       ("label", "label")):
            ref = raw[mtop.rstrip("/") + "/metrics/" + src].asstr()[:]
            if c not in ds.coords or list(ds[c].values) != list(ref):
                problems.append(f"{where}: coordinate {c} along metric "
                                f"differs from /metrics/{src}")
    return ds


def check_strings(raw, problems):
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and obj.dtype.kind in "OSU":
            info = h5py.check_string_dtype(obj.dtype)
            if info is None or info.length is not None or \
                    info.encoding != "utf-8":
                problems.append(f"/{name}: not variable-length UTF-8 text")
    raw.visititems(visit)


def check_run(path, raw, problems):
    names = raw["metrics/name"].asstr()[:]
    labels = raw["metrics/label"].asstr()[:]
    years = raw["years"][:]
    ds = xr.open_dataset(path, engine="h5netcdf")
    tr = ds["trajectories"]
    if tr.dims != ("replicate", "year", "metric"):
        problems.append(f"trajectories dims are {tr.dims}")
    if not np.array_equal(ds["year"].values, years):
        problems.append("year coordinate differs from /years")
    if list(ds["metric"].values) != list(names):
        problems.append("metric coordinate differs from /metrics/name")
    if not np.array_equal(tr.values, raw["trajectories"][:], equal_nan=True):
        problems.append("trajectories differ between xarray and h5py")
    # selection by label, as an analyst would; the unit comes along
    total = tr.sel(metric="teachers.total", year=int(years[-1]))
    if total.dims != ("replicate",):
        problems.append("label selection did not give a replicate series")
    if "units" not in total.coords or str(total["units"].values) != "teachers":
        problems.append("teachers.total does not carry its unit")

    summ = xr.open_dataset(path, engine="h5netcdf", group="summary")
    if summ["mean"].dims != ("year", "metric"):
        problems.append(f"summary dims are {summ['mean'].dims}")
    if "targets" in raw and "name" in raw["targets"]:
        tg = xr.open_dataset(path, engine="h5netcdf", group="targets")
        if tg["p_met"].dims != ("target",):
            problems.append(f"targets dims are {tg['p_met'].dims}")
        if "by_county" in raw["targets"]:
            bc = xr.open_dataset(path, engine="h5netcdf",
                                 group="targets/by_county")
            if bc["p_met"].dims != ("target", "county"):
                problems.append(f"targets/by_county dims are "
                                f"{bc['p_met'].dims}")
            if list(bc["county"].values) != list(
                    raw["targets/by_county/county"].asstr()[:]):
                problems.append("targets/by_county county coordinate "
                                "differs from h5py's")

    # tidy table in two lines; the metric's unit, long name and label
    # come along as columns
    tidy = tr.to_dataframe().reset_index()
    cols = list(tidy.columns)
    if len(tidy) != tr.size or cols[:3] != ["replicate", "year", "metric"] \
            or cols[-1] != "trajectories" or \
            not set(cols[3:-1]) <= {"units", "long_name", "label"}:
        problems.append(f"tidy table has columns {cols}")

    units = raw["metrics/unit"].asstr()[:]
    if any(u == "" for u in units):
        problems.append("a metric has no unit")
    tier_labels = [l for n, l in zip(names, labels)
                   if n.startswith("teachers.tier.")]
    if not tier_labels or any(l == "" for l in tier_labels):
        problems.append("tier metrics lack their labels")
    return f"dims {tr.dims}, {tr.sizes['metric']} metrics, tier labels " \
           f"{tier_labels}, tidy table {len(tidy)} rows"


def check_scenarios(path, raw, problems):
    names = list(raw["scenario_names"].asstr()[:])
    ds = xr.open_dataset(path, engine="h5netcdf")
    if list(ds["scenario"].values) != names:
        problems.append("the root's scenario coordinate differs from "
                        "scenario_names")
        return "no scenario dimension"
    stacked = 0
    for g in ("/", "/summary", "/targets", "/by_county/summary"):
        if g.strip("/") and g.strip("/") not in raw:
            continue
        sd = xr.open_dataset(path, engine="h5netcdf", group=g)
        for v in sd.data_vars:
            if sd[v].dims[:1] != ("scenario",):
                continue
            if f"scenarios/{names[0]}{g.rstrip('/')}/{v}" not in raw:
                continue
            for s in names:
                one = raw[f"scenarios/{s}{g.rstrip('/')}/{v}"][()]
                if not np.array_equal(sd[v].sel(scenario=s).values, one,
                                      equal_nan=True):
                    problems.append(f"{g} {v}: scenario {s} differs from "
                                    f"its group")
            stacked += 1
    # stacked whenever the scenarios' runs have the same shape
    shapes = {raw[f"scenarios/{s}/trajectories"].shape for s in names}
    if len(shapes) == 1 and ("trajectories" not in ds or "mean" not in
                             xr.open_dataset(path, engine="h5netcdf",
                                             group="summary")):
        problems.append("the scenarios are not stacked at the root")
    return f"{len(names)} scenarios along one dimension, {stacked} " \
           f"stacked variables"


def check_export(path, problems):
    """An export opens in pandas with one row per replicate, year, metric
    (and county), with the columns docs/hdf5.md names."""
    import pandas as pd
    df = pd.read_hdf(path)
    want = ["replicate", "year", "metric", "county", "value", "unit", "label"]
    if list(df.columns) != want:
        problems.append(f"export columns {list(df.columns)}, not {want}")
    key = df[["replicate", "year", "metric", "county"]]
    if key.duplicated().any():
        problems.append("export: a replicate, year, metric, county twice")
    return f"pandas tidy table, {len(df)} rows (pd.read_hdf)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="+")
    failed = False
    for path in ap.parse_args().files:
        problems = []
        raw = h5py.File(path, "r")
        kind = text(raw.attrs.get("twsim_kind", ""))
        if kind == "export":
            # `twsim export --format tidy-h5` writes pandas' own (PyTables)
            # table layout, for pd.read_hdf; a compound table has no netCDF
            # form, and xarray reads the run file itself (docs/hdf5.md)
            groups, what = [], check_export(path, problems)
        else:
            groups = groups_of(raw)
            for g in groups:
                check_group(path, raw, g, problems)
            check_strings(raw, problems)
            what = f"{kind} file"
        try:
            if kind == "run":
                what = check_run(path, raw, problems)
            elif kind == "scenarios":
                what = check_scenarios(path, raw, problems)
        except Exception as e:  # noqa: BLE001 - report, do not crash
            problems.append(f"{kind} checks: {type(e).__name__}: {e}")
        if problems:
            failed = True
            print("xarray_check: FAIL", path, f"({kind})")
            for p in problems[:40]:
                print("  " + p)
            if len(problems) > 40:
                print(f"  ... and {len(problems) - 40} more")
        else:
            print(f"xarray_check: OK {path}: {len(groups)} groups open "
                  f"labelled; {what}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
