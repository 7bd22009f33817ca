#!/usr/bin/python3
"""xarray_check.py FILE.h5 - a twsim output opens in xarray with labelled
dimensions and in pandas as a tidy table, without twsim's code.

Checks: xarray.open_dataset(engine="h5netcdf") names the dimensions of
/trajectories (replicate, year, metric) with coordinates equal to h5py's
/years and /metrics/name; the summary group has (year, metric) and the
targets group (target) dimensions, and targets/by_county (target, county)
when present; metric units, descriptions and labels
(Chinese tier names as UTF-8) travel with the data; the tidy pandas table
has one row per replicate, year and metric. Prints "xarray_check: OK ..."
or the problems, exit 1.
"""
import argparse
import sys

import h5py
import numpy as np
import xarray as xr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("file")
    path = ap.parse_args().file
    problems = []
    raw = h5py.File(path, "r")
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
    # selection by label, as an analyst would
    total = tr.sel(metric="teachers.total", year=int(years[-1]))
    if total.dims != ("replicate",):
        problems.append("label selection did not give a replicate series")

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

    # tidy table in two lines
    tidy = tr.to_dataframe().reset_index()
    if len(tidy) != tr.size or list(tidy.columns) != [
            "replicate", "year", "metric", "trajectories"]:
        problems.append(f"tidy table has columns {list(tidy.columns)}")

    units = raw["metrics/unit"].asstr()[:]
    if any(u == "" for u in units):
        problems.append("a metric has no unit")
    tier_labels = [l for n, l in zip(names, labels)
                   if n.startswith("teachers.tier.")]
    if not tier_labels or any(l == "" for l in tier_labels):
        problems.append("tier metrics lack their labels")

    if problems:
        print("xarray_check: FAIL", path)
        for p in problems:
            print("  " + p)
        sys.exit(1)
    print(f"xarray_check: OK {path}: dims {tr.dims}, {tr.sizes['metric']} "
          f"metrics, tier labels {tier_labels}, tidy table {len(tidy)} rows")


if __name__ == "__main__":
    main()
