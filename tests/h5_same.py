#!/usr/bin/python3
"""h5_same.py A B - are two twsim output files the same, bitwise?

Compares everything in A with B: every dataset (numbers by their bytes with
numpy's tobytes(), strings by value), every attribute of every group and
dataset, and the dimension scales attached to each dataset (by name:
DIMENSION_LIST and REFERENCE_LIST hold file addresses, which depend on the
order in which HDF5 allocated space, not on the contents). /provenance is
skipped: its creation time and host name are the only parts of a file
meant to differ between two runs of the same config and seed
(docs/hdf5.md); so is each scenario's /scenarios/<name>/provenance in a
file of --all-scenarios.

Prints "identical: N datasets, M attributes" and exits 0, or names the
first difference and exits 1.
"""
import sys

import h5py
import numpy as np

SKIP_ATTRS = {"DIMENSION_LIST", "REFERENCE_LIST"}


def same_value(x, y):
    x, y = np.asarray(x), np.asarray(y)
    if x.shape != y.shape:
        return False
    if x.dtype.kind == "O" or y.dtype.kind == "O":
        return [v for v in x.ravel()] == [v for v in y.ravel()]
    return x.dtype == y.dtype and x.tobytes() == y.tobytes()


def objects(f):
    out = {"/": f}
    f.visititems(lambda name, obj: out.__setitem__("/" + name, obj))
    return {k: v for k, v in out.items() if not is_provenance(k)}


def is_provenance(path):
    parts = path.split("/")
    return (parts[1:2] == ["provenance"] or
            (parts[1:2] == ["scenarios"] and parts[3:4] == ["provenance"]))


def scales(ds):
    return [[s.name for s in ds.dims[i].values()] for i in range(ds.ndim)]


def main(a_path, b_path):
    a, b = h5py.File(a_path, "r"), h5py.File(b_path, "r")
    oa, ob = objects(a), objects(b)
    if sorted(oa) != sorted(ob):
        only = sorted(set(oa) ^ set(ob))
        return "objects differ: " + ", ".join(only[:5])
    nd = na = 0
    for name in sorted(oa):
        x, y = oa[name], ob[name]
        if isinstance(x, h5py.Dataset) != isinstance(y, h5py.Dataset):
            return f"{name}: a dataset in one file only"
        keys = sorted(set(x.attrs) - SKIP_ATTRS)
        if keys != sorted(set(y.attrs) - SKIP_ATTRS):
            return f"{name}: attributes differ"
        for k in keys:
            if not same_value(x.attrs[k], y.attrs[k]):
                return f"{name}: attribute {k} differs"
            na += 1
        if isinstance(x, h5py.Dataset):
            if x.dtype != y.dtype or not same_value(x[()], y[()]):
                return f"{name}: values differ"
            if scales(x) != scales(y):
                return f"{name}: dimension scales differ"
            nd += 1
    print(f"identical: {nd} datasets, {na} attributes")
    return None


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    problem = main(sys.argv[1], sys.argv[2])
    if problem:
        print(f"{sys.argv[1]} and {sys.argv[2]}: {problem}")
        sys.exit(1)
