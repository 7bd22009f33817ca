#!/usr/bin/python3
"""Check a twsim HDF5 output file with h5py + numpy only.

Verifies the documented layout (datasets, attributes, shapes, dtypes),
that every replicate is marked done, and that /summary equals numpy's
mean, std(ddof=1) and percentile(5/50/95, default method) over the
replicate axis of /trajectories.

Prints "h5_check: OK <file>: R replicates, Y years, M metrics" and exits 0,
or prints every problem found and exits 1.
"""
import argparse
import sys

import h5py
import numpy as np

FORMAT_VERSION = 1
RTOL, ATOL = 1e-12, 1e-9


class Checker:
    def __init__(self, f):
        self.f = f
        self.problems = []

    def fail(self, msg):
        self.problems.append(msg)

    def dataset(self, name, dtype, shape=None, string=False):
        """The dataset at name if it has the given dtype kind and shape."""
        if name not in self.f:
            self.fail(f"missing dataset {name}")
            return None
        ds = self.f[name]
        if not isinstance(ds, h5py.Dataset):
            self.fail(f"{name} is not a dataset")
            return None
        if string:
            info = h5py.check_string_dtype(ds.dtype)
            if info is None or info.length is not None:
                self.fail(f"{name}: expected variable-length strings, "
                          f"got {ds.dtype}")
                return None
            if info.encoding != "utf-8":
                self.fail(f"{name}: expected UTF-8, got {info.encoding}")
        elif ds.dtype != np.dtype(dtype):
            self.fail(f"{name}: expected dtype {np.dtype(dtype)}, "
                      f"got {ds.dtype}")
            return None
        if shape is not None and ds.shape != shape:
            self.fail(f"{name}: expected shape {shape}, got {ds.shape}")
            return None
        return ds

    def strings(self, name, shape):
        """Decoded str values (a list, or one str for a scalar)."""
        ds = self.dataset(name, None, shape, string=True)
        if ds is None:
            return None
        vals = ds.asstr()[()]
        items = [vals] if ds.shape == () else list(vals)
        for v in items:
            if not isinstance(v, str):
                self.fail(f"{name}: value {v!r} does not decode as str")
                return None
        return vals if ds.shape == () else items

    def attr(self, obj, name, dtype=None, string=False):
        where = f"{obj.name} attribute {name}"
        if name not in obj.attrs:
            self.fail(f"missing {where}")
            return None
        file_dtype = obj.attrs.get_id(name).dtype
        value = obj.attrs[name]
        if string:
            if not isinstance(value, str):
                self.fail(f"{where}: expected a UTF-8 string, "
                          f"got {type(value).__name__} ({file_dtype})")
                return None
        elif file_dtype != np.dtype(dtype) or np.shape(value) != ():
            self.fail(f"{where}: expected a scalar {np.dtype(dtype)}, "
                      f"got {file_dtype} shape {np.shape(value)}")
            return None
        return value


def check(path):
    """Return (problems, (R, Y, M))."""
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        return [f"cannot open as HDF5: {e}"], None
    with f:
        c = Checker(f)
        if "format_version" not in f.attrs:
            return ["not a twsim output file (no format_version "
                    "attribute)"], None
        version = c.attr(f, "format_version", np.int32)
        if version is not None and version != FORMAT_VERSION:
            c.fail(f"format_version is {version}, expected "
                   f"{FORMAT_VERSION}")
        for name in ("engine_version", "git_commit", "mode", "config_path"):
            c.attr(f, name, string=True)
        c.attr(f, "seed", np.uint64)
        n_rep_attr = c.attr(f, "n_replicates", np.uint64)
        if "provenance" not in f:
            c.fail("missing group /provenance")
        else:
            for name in ("created", "host"):
                c.attr(f["provenance"], name, string=True)

        traj = c.dataset("/trajectories", np.float64)
        if traj is None or traj.ndim != 3:
            if traj is not None:
                c.fail(f"/trajectories: expected 3 dimensions, got "
                       f"{traj.shape}")
            return c.problems, None
        R, Y, M = traj.shape
        if traj.chunks != (1, Y, M):
            c.fail(f"/trajectories: expected chunks (1, {Y}, {M}), got "
                   f"{traj.chunks}")
        if traj.compression != "gzip" or not traj.shuffle:
            c.fail("/trajectories: expected shuffle + deflate compression")
        if c.attr(traj, "dims", string=True) not in (None,
                                                     "replicate,year,metric"):
            c.fail("/trajectories attribute dims is not "
                   "'replicate,year,metric'")
        if n_rep_attr is not None and n_rep_attr != R:
            c.fail(f"attribute n_replicates is {n_rep_attr} but "
                   f"/trajectories has {R} replicates")

        c.dataset("/years", np.int32, (Y,))
        names = c.strings("/metrics/name", (M,))
        for field in ("unit", "description", "label"):
            c.strings(f"/metrics/{field}", (M,))
        if names is not None and len(set(names)) != len(names):
            c.fail("/metrics/name has duplicate names")
        if "tiers" in f:
            tiers = f["tiers"].get("names")
            if tiers is None or tiers.ndim != 1:
                c.fail("/tiers/names: expected a 1-D string dataset")
            else:
                c.strings("/tiers/names", tiers.shape)

        done = c.dataset("/replicates/done", np.uint8, (R,))
        if done is not None:
            missing = np.flatnonzero(done[()] != 1)
            if missing.size:
                c.fail(f"/replicates/done: {missing.size} of {R} replicates "
                       f"not done (first: {missing[0]})")

        c.strings("/config/text", ())
        c.strings("/config/effective", ())
        ov = f.get("/config/overrides")
        if ov is None or not isinstance(ov, h5py.Dataset) or ov.ndim != 1:
            c.fail("/config/overrides: expected a 1-D string dataset")
        else:
            c.strings("/config/overrides", ov.shape)

        data = traj[()]
        expect = {
            "mean": lambda a: np.mean(a, axis=0),
            "sd": lambda a: (np.std(a, axis=0, ddof=1) if a.shape[0] > 1
                             else np.zeros(a.shape[1:])),
            "p05": lambda a: np.percentile(a, 5, axis=0),
            "p50": lambda a: np.percentile(a, 50, axis=0),
            "p95": lambda a: np.percentile(a, 95, axis=0),
        }
        for name, fn in expect.items():
            ds = c.dataset(f"/summary/{name}", np.float64, (Y, M))
            if ds is None:
                continue
            want, got = fn(data), ds[()]
            if not np.allclose(got, want, rtol=RTOL, atol=ATOL,
                               equal_nan=True):
                bad = np.argwhere(~np.isclose(got, want, rtol=RTOL, atol=ATOL,
                                              equal_nan=True))[0]
                y, m = int(bad[0]), int(bad[1])
                c.fail(f"/summary/{name}[{y}, {m}] is {got[y, m]!r}, numpy "
                       f"gives {want[y, m]!r}")
        return c.problems, (R, Y, M)


def main():
    ap = argparse.ArgumentParser(
        description="Check the layout and summaries of a twsim HDF5 output "
                    "file (h5py + numpy only).")
    ap.add_argument("file", help="the .h5 file written by twsim")
    args = ap.parse_args()
    problems, shape = check(args.file)
    if problems:
        print(f"h5_check: FAIL {args.file}:", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    R, Y, M = shape
    print(f"h5_check: OK {args.file}: {R} replicates, {Y} years, "
          f"{M} metrics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
