#!/usr/bin/python3
"""numpy_peer.py - the reference peer of `make bench`: the models twsim is
compared with, written as a plain vectorised numpy script, the way an
analyst would write them (one array per attribute, one uniform draw per
teacher per process, numpy's default generator, one thread).

    numpy_peer.py chengdu [--reps 8] [--seed S] [-v]
    numpy_peer.py markov  [--teachers 200000] [--reps 10] [--seed S] [-v]

chengdu: the reduced Chengdu model (bench/reduced-chengdu.sets is the same
model in twsim). 188,100 teachers (Chengdu's initial stock by stage),
2021-2025 (4 simulated years), 8 replicates. Each replicate draws the
initial stock: stage counts as given, locality (urban/town/rural) in
proportion to the stage's students in the schools of configs/chengdu.cfg,
age band then a uniform age in it, sex, tier, service = age - 22, years in
the tier uniform on 0..min(service, 10); ages at or past the retirement age
are drawn again. Then each year, for every teacher:
  1. death: hazard by 5-year age band (national.cfg deaths.rate);
  2. retirement in the year the teacher turns 60 (men) or 55 (women);
  3. voluntary exit: hazard base[stage] x locality factor x service-band
     factor (national.cfg exit);
  4. tier promotion of those who stay: after min_years in tier i, to i+1
     with prob[i] (chengdu.cfg tiers);
  5. one hire per leaver, into the leaver's post (stage and locality):
     tier 0, age ~ N(24, 2), 72% women (national.cfg channels.open);
  6. ageing: age and service + 1.
Draws: one uniform per teacher for each of 1, 3 and 4, as an analyst would.

markov: the Markov example (configs/markov-example.cfg): four grades with
its transition matrix, its initial stock scaled to --teachers in the same
proportions (largest remainder; bench/markov-200k.sets is the same run in
twsim), 2020-2030 (10 simulated years), "replace" recruitment into the
lowest grade, 10 replicates. Each year every teacher draws one uniform and
moves to the first grade j with u < P(i,1) + ... + P(i,j), or leaves; the
leavers are replaced by hires into grade 0.

Output: a line of key=value pairs on stdout,
    peer model=chengdu individual_years=3009600 seconds=0.371 rate=8.11e6
where individual_years = initial teachers x simulated years x replicates
(twsim's teacher-years: the stock at the start of each simulated year;
with one hire per leaver it stays the initial stock) and seconds is the
simulation alone (after imports and parsing). `make bench` times the whole
process. -v prints the ensemble mean of a few yearly counts on stderr.
"""
import argparse
import os
import re
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CONFIGS = os.path.join(HERE, "..", "configs")

STAGES = ["preschool", "primary", "junior", "senior", "vocational"]
LOCALITIES = ["urban", "town", "rural"]

# configs/chengdu.cfg population.stages: "count = 53300; ... 66200; ...
# 38700; ... 20400; ... 9500" (188,100 in all)
STAGE_COUNT = [53300, 66200, 38700, 20400, 9500]
# chengdu.cfg population.stages[].age (bands <25, 25-29, ..., 65+)
AGE_SHARE = [
    [0.20, 0.30, 0.20, 0.12, 0.07, 0.05, 0.055, 0.005, 0.0, 0.0],
    [0.07, 0.15, 0.16, 0.16, 0.14, 0.14, 0.155, 0.025, 0.0, 0.0],
    [0.05, 0.11, 0.13, 0.14, 0.16, 0.17, 0.21, 0.03, 0.0, 0.0],
    [0.06, 0.13, 0.15, 0.15, 0.15, 0.15, 0.175, 0.035, 0.0, 0.0],
    [0.04, 0.10, 0.13, 0.14, 0.16, 0.17, 0.225, 0.035, 0.0, 0.0],
]
# chengdu.cfg population.stages[].female
FEMALE = [0.978, 0.73, 0.608, 0.575, 0.58]
# chengdu.cfg population.stages[].tiers
TIER_SHARE = [
    [0.12, 0.8295, 0.045, 0.0055, 0.0000],
    [0.08, 0.8048, 0.10, 0.015, 0.0002],
    [0.07, 0.8028, 0.11, 0.017, 0.0002],
    [0.07, 0.7896, 0.12, 0.020, 0.0004],
    [0.05, 0.8347, 0.10, 0.015, 0.0003],
]
# chengdu.cfg tiers: "min_years = [ 1, 5, 5, 5 ]; prob = [ 0.9, 0.012,
# 0.012, 0.05 ]"
TIER_MIN_YEARS = np.array([1, 5, 5, 5, 10**6])
TIER_PROB = np.array([0.9, 0.012, 0.012, 0.05, 0.0])
# national.cfg deaths: "rate = [ 0.0005, 0.0005, 0.0007, 0.0010, 0.0015,
# 0.0022, 0.0033, 0.0050, 0.0080, 0.0150 ]"
DEATH_RATE = np.array([0.0005, 0.0005, 0.0007, 0.0010, 0.0015,
                       0.0022, 0.0033, 0.0050, 0.0080, 0.0150])
# national.cfg retirement: "old_age = [ 60, 55, 50 ]", female_rule "55"
RETIRE_AGE_MALE, RETIRE_AGE_FEMALE = 60, 55
# national.cfg exit: "base = { preschool = 0.030; primary = 0.012; junior =
# 0.012; senior = 0.012; vocational = 0.015; }; locality_factor = [ 1.0,
# 1.2, 1.5 ]; service_cuts = [ 3, 6, 11, 21 ]; service_factor = [ 2.0,
# 1.5, 1.0, 0.6, 0.3 ]"
EXIT_BASE = np.array([0.030, 0.012, 0.012, 0.012, 0.015])
EXIT_LOCALITY = np.array([1.0, 1.2, 1.5])
SERVICE_CUTS = np.array([3, 6, 11, 21])
EXIT_SERVICE = np.array([2.0, 1.5, 1.0, 0.6, 0.3])
# national.cfg recruitment.channels.open: "age_mean = 24.0; age_sd = 2.0;
# female = 0.72;"
HIRE_AGE_MEAN, HIRE_AGE_SD, HIRE_FEMALE = 24.0, 2.0, 0.72

# configs/markov-example.cfg tiers.transition and teachers.tier_counts
MARKOV_P = np.array([[0.50, 0.10, 0.05, 0.00],
                     [0.05, 0.60, 0.10, 0.00],
                     [0.05, 0.00, 0.80, 0.10],
                     [0.00, 0.00, 0.00, 0.70]])
MARKOV_N0 = [300, 200, 50, 30]


def locality_shares():
    """Students by stage x locality in chengdu.cfg's school blocks: within
    a stage the staffing ratio is one number, so teachers follow students."""
    text = open(os.path.join(CONFIGS, "chengdu.cfg"), encoding="utf-8").read()
    students = np.zeros((len(STAGES), len(LOCALITIES)))
    pat = re.compile(r'stage = "(\w+)"; locality = "(\w+)"; count = \d+; '
                     r'students = ([0-9.]+);')
    for stage, loc, n in pat.findall(text):
        students[STAGES.index(stage), LOCALITIES.index(loc)] += float(n)
    return students / students.sum(axis=1, keepdims=True)


def chengdu_initial(rng, loc_share):
    stage = np.repeat(np.arange(len(STAGES), dtype=np.int8), STAGE_COUNT)
    n = stage.size
    loc = np.empty(n, np.int8)
    band = np.empty(n, np.int64)
    female = np.empty(n, bool)
    tier = np.empty(n, np.int8)
    start = 0
    for s, count in enumerate(STAGE_COUNT):
        sl = slice(start, start + count)
        loc[sl] = rng.choice(3, count, p=loc_share[s])
        band[sl] = rng.choice(10, count, p=AGE_SHARE[s])
        female[sl] = rng.random(count) < FEMALE[s]
        p = np.array(TIER_SHARE[s])
        tier[sl] = rng.choice(5, count, p=p / p.sum())
        start += count
    retire_age = np.where(female, RETIRE_AGE_FEMALE, RETIRE_AGE_MALE)
    age = 20 + 5 * band + rng.integers(0, 5, n)
    # teachers in post are below the retirement age: draw the band and the
    # age of those again
    bad = np.flatnonzero(age >= retire_age)
    while bad.size:
        for s in range(len(STAGES)):
            b = bad[stage[bad] == s]
            band[b] = rng.choice(10, b.size, p=AGE_SHARE[s])
        age[bad] = 20 + 5 * band[bad] + rng.integers(0, 5, bad.size)
        bad = bad[age[bad] >= retire_age[bad]]
    service = np.maximum(age - 22, 0)
    in_tier = rng.integers(0, np.minimum(service, 10) + 1)
    return dict(stage=stage, loc=loc, age=age, female=female, tier=tier,
                service=service, in_tier=in_tier)


def chengdu_year(rng, t):
    n = t["age"].size
    band = np.clip((t["age"] - 20) // 5, 0, 9)
    dies = rng.random(n) < DEATH_RATE[band]
    retire_age = np.where(t["female"], RETIRE_AGE_FEMALE, RETIRE_AGE_MALE)
    retires = ~dies & (t["age"] + 1 >= retire_age)
    hazard = (EXIT_BASE[t["stage"]] * EXIT_LOCALITY[t["loc"]]
              * EXIT_SERVICE[np.searchsorted(SERVICE_CUTS, t["service"],
                                             side="right")])
    quits = ~dies & ~retires & (rng.random(n) < hazard)
    leaves = dies | retires | quits
    tier = t["tier"]
    eligible = ~leaves & (t["in_tier"] >= TIER_MIN_YEARS[tier])
    promoted = eligible & (rng.random(n) < TIER_PROB[tier])
    t["tier"] = tier + promoted
    t["in_tier"] = np.where(promoted, 0, t["in_tier"] + 1)
    # one hire per leaver, into the leaver's post
    new = np.flatnonzero(leaves)
    h = new.size
    t["age"][new] = np.rint(rng.normal(HIRE_AGE_MEAN, HIRE_AGE_SD, h))
    t["female"][new] = rng.random(h) < HIRE_FEMALE
    t["tier"][new] = 0
    t["service"][new] = 0
    t["in_tier"][new] = 0
    t["age"] += 1
    t["service"] += 1
    return [dies.sum(), retires.sum(), quits.sum(), promoted.sum()]


def run_chengdu(args):
    loc_share = locality_shares()
    years = 4                                     # 2022 .. 2025
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    counts = np.zeros((args.reps, years, 4))
    for r in range(args.reps):
        teachers = chengdu_initial(rng, loc_share)
        for y in range(years):
            counts[r, y] = chengdu_year(rng, teachers)
    seconds = time.perf_counter() - t0
    if args.verbose:
        for y, row in enumerate(counts.mean(axis=0)):
            print("%d deaths %.0f retirements %.0f exits %.0f promotions %.0f"
                  % (2022 + y, *row), file=sys.stderr)
    return sum(STAGE_COUNT) * years * args.reps, seconds


def largest_remainder(shares, total):
    exact = np.asarray(shares, float) / sum(shares) * total
    n = np.floor(exact).astype(int)
    n[np.argsort(-(exact - n), kind="stable")[:total - n.sum()]] += 1
    return n


def run_markov(args):
    n0 = largest_remainder(MARKOV_N0, args.teachers)
    years = 10                                    # 2021 .. 2030
    cum = np.cumsum(MARKOV_P, axis=1)
    rng = np.random.default_rng(args.seed)
    t0 = time.perf_counter()
    stock = np.zeros((args.reps, years, 4))
    for r in range(args.reps):
        tier = np.repeat(np.arange(4), n0)
        for y in range(years):
            u = rng.random(tier.size)
            to = (u[:, None] >= cum[tier]).sum(axis=1)   # 4 = leaves
            stays = to < 4
            tier = np.concatenate([to[stays],
                                   np.zeros(tier.size - stays.sum(), int)])
            stock[r, y] = np.bincount(tier, minlength=4)
    seconds = time.perf_counter() - t0
    if args.verbose:
        print("n0 %s; mean stock in 2030 %s" % (n0, stock.mean(axis=0)[-1]),
              file=sys.stderr)
    return int(n0.sum()) * years * args.reps, seconds


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", choices=["chengdu", "markov"])
    ap.add_argument("--reps", type=int)
    ap.add_argument("--teachers", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=20180323)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.model == "chengdu":
        args.reps = args.reps or 8
        iy, seconds = run_chengdu(args)
    else:
        args.reps = args.reps or 10
        iy, seconds = run_markov(args)
    print("peer model=%s individual_years=%d seconds=%.3f rate=%.3e"
          % (args.model, iy, seconds, iy / seconds))


if __name__ == "__main__":
    main()
