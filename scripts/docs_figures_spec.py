"""docs_figures_spec.py - every figure quoted in docs/calibration.md and
docs/regions.md: which run, which quantity, which statistic.

RUNS: name -> Run(config, --set overrides, seed, n = the replicates the
text quotes, n_check = the replicates of `make check`). A run is made once
per distinct (binary, configs, overrides, seed, n) and cached.

FIGURES: name -> Figure(name, run, quantity, statistic) or
Figure(name, of=[figures], fn=function of their values). A quantity is a
function of the run's Data returning one value per replicate:
  at(metric, year)      the value in that year
  total(metric, y0, y1) the sum over y0..y1 (flows: the period's total)
  each(metric, y0, y1)  every year (with stat "ymin" / "ymax": the
                        smallest / largest of the yearly means)
  lambda d: ...         anything else (d.at, d.sum, d.each, d.met(target),
                        d.quantity(target), d.county(metric, county, year))
metric may join several metrics with '+'. Statistics: "mean" (default),
"p05", "p95", ("ge", t) the share of replicates at or above t, "ymin",
"ymax". The format of the printed number is in the marker
(docs/figures.md), not here.
"""
from docs_figures import Figure, Run, at, total, each
import re

import numpy as np

RUNS = {}
FIGURES = {}


def fig(name, run=None, q=None, stat="mean", **kw):
    assert name not in FIGURES, name
    FIGURES[name] = Figure(name, run, q, stat, **kw)


def derived(name, of, fn, tol=None):
    assert name not in FIGURES, name
    FIGURES[name] = Figure(name, of=of, fn=fn, tol=tol)


YEARS_13 = range(2016, 2021)      # the 13th plan's hiring years
EXCH = "exchanges.urban_to_rural+exchanges.town_to_rural"

# ---- 港北區 (docs/calibration.md) -----------------------------------------------
# The backcast: base year 2015 (the initial stock), flows 2016-2020.
GB_SEED = 20211118                 # configs/gangbei.cfg's own
GB_BC = ["simulation.base_year=2015", "simulation.end_year=2020",
         "targets=()", "staffing.redundancy=0.0"]
GB_FLAT = ('enrolment.series=( { stage = "primary"; locality = "all"; '
           'index = [1.0,1.0,1.0,1.0,1.0,1.0]; }, { stage = "junior"; '
           'locality = "all"; index = [1.0,1.0,1.0,1.0,1.0,1.0]; } )')
GB_VARIANTS = {
    "A": [],
    "B": [GB_FLAT],
    "C": ["rotation.share=0.10", "rotation.eligible_years=6"],
    "D": ["rotation.share=0.45", "rotation.eligible_years=6"],
    "E": ["rotation.share=0.0"],
    "F": [GB_FLAT, "rotation.share=0.0"],
}
for v, sets in GB_VARIANTS.items():
    r = f"gangbei_bc_{v}"
    RUNS[r] = Run("configs/gangbei.cfg", GB_BC + sets, seed=GB_SEED,
                  n=100, n_check=50)
    p = f"gb.{v}"
    for key, metric in (("hires", "hires.total"), ("exch", EXCH),
                        ("exits", "exits.total"), ("retire", "exits.retire"),
                        ("voluntary", "exits.voluntary"),
                        ("talent", "hires.channel.talent"),
                        ("funded", "hires.channel.funded"),
                        ("tegang", "hires.channel.tegang"),
                        ("funded_tegang", "hires.channel.funded+hires.channel.tegang"),
                        ("rural_hires", "hires.locality.rural")):
        fig(f"{p}.{key}", r, total(metric, 2016, 2020))
        for s in ("p05", "p95"):
            fig(f"{p}.{key}.{s}", r, total(metric, 2016, 2020), s)
        for y in YEARS_13:
            fig(f"{p}.{key}.{y}", r, at(metric, y))
    for y in (2015, 2020):
        fig(f"{p}.staff.{y}", r, at("teachers.total", y))
        fig(f"{p}.senior.{y}", r, at("teachers.title.senior", y))
    fig(f"{p}.unfilled.min", r, each("posts.unfilled", 2016, 2020), "ymin")
    fig(f"{p}.unfilled.max", r, each("posts.unfilled", 2016, 2020), "ymax")
    for y in YEARS_13:
        fig(f"{p}.unfilled.{y}", r, at("posts.unfilled", y))

# the initial stock's age bands (shares of the base year's staff)
for band in ("45_49", "50_54"):
    fig(f"gb.A.age.{band}.share", "gangbei_bc_A",
        lambda d, b=band: d.at(f"teachers.age.{b}", 2015) / d.at("teachers.total", 2015))
# exchanges against 003's 1873; hires against its 812
derived("gb.A.exch_vs_doc", ["gb.A.exch"], lambda a: a / 1873 - 1)
derived("gb.A.hires_vs_doc", ["gb.A.hires"], lambda a: a / 812 - 1)
derived("gb.B.hires_vs_doc", ["gb.B.hires"], lambda a: a / 812 - 1)
derived("gb.A_minus_B.hires", ["gb.A.hires", "gb.B.hires"], lambda a, b: a - b)
derived("gb.A.staff_growth", ["gb.A.staff.2020", "gb.A.staff.2015"],
        lambda a, b: a / b - 1)
# retirements of the middle years (2016-2019), against which 2020 stands out
fig("gb.A.retire.mid", "gangbei_bc_A",
    lambda d: d.sum("exits.retire", 2016, 2019) / 4)
derived("gb.A.retire.2020_extra", ["gb.A.retire.2020", "gb.A.retire.mid"],
        lambda a, b: a - b)
fig("gb.B.hires.mid", "gangbei_bc_B", lambda d: d.sum("hires.total", 2016, 2019) / 4)
fig("gb.B.hires.min", "gangbei_bc_B", each("hires.total", 2016, 2019), "ymin")
fig("gb.B.hires.max", "gangbei_bc_B", each("hires.total", 2016, 2019), "ymax")

# The forward run: the config as it is, 2021-2025.
RUNS["gangbei"] = Run("configs/gangbei.cfg", [], seed=GB_SEED, n=100, n_check=50)
for y in range(2021, 2026):
    fig(f"gbf.exits.{y}", "gangbei", at("exits.total", y))
fig("gbf.exits.mean_2022_2025", "gangbei",
    lambda d: d.sum("exits.total", 2022, 2025) / 4)
fig("gbf.exits.rate_2022_2025", "gangbei",
    lambda d: d.sum("exits.total", 2022, 2025) / d.sum("teachers.total", 2021, 2024))
fig("gbf.unfilled.min", "gangbei", each("posts.unfilled", 2021, 2025), "ymin")
fig("gbf.unfilled.max", "gangbei", each("posts.unfilled", 2021, 2025), "ymax")
fig("gbf.cross.min", "gangbei", each("rehire.cross_school", 2021, 2025), "ymin")
fig("gbf.cross.max", "gangbei", each("rehire.cross_school", 2021, 2025), "ymax")

# ---- 内江市 (docs/calibration.md) ---------------------------------------------------
NJ_SEED = 510100                   # configs/neijiang.cfg's own


def nj_series(preschool):
    idx = lambda v: "[" + ",".join(f"{x:.4f}" for x in v) + "]"
    rows = [
        ("primary", "urban", [1.0000, 1.0043, 1.0083, 1.0122, 1.0158, 1.0192]),
        ("primary", "town", [1.0000, 0.9893, 0.9784, 0.9675, 0.9564, 0.9453]),
        ("primary", "rural", [1.0000, 0.9643, 0.9296, 0.8960, 0.8633, 0.8317]),
        ("junior", "urban", [1.0000, 1.0016, 1.0031, 1.0044, 1.0055, 1.0066]),
        ("junior", "town", [1.0000, 0.9866, 0.9732, 0.9599, 0.9466, 0.9334]),
        ("junior", "rural", [1.0000, 0.9616, 0.9245, 0.8888, 0.8542, 0.8209]),
        ("senior", "all", [1.0000, 1.0148, 1.0295, 1.0443, 1.0590, 1.0738]),
        ("vocational", "all", [1.0000, 0.9944, 0.9889, 0.9833, 0.9778, 0.9722]),
        ("preschool", "all", preschool),
    ]
    return "enrolment.series=( " + ", ".join(
        f'{{stage="{s}"; locality="{l}"; index={idx(v)};}}' for s, l, v in rows) + " )"


NJ_PRE40 = [1.0000, 1.0174, 1.0328, 1.0463, 1.0580, 1.0679]
NJ_PRE35 = [1.0, 1.0521, 1.0999, 1.1438, 1.1839, 1.2204]
NJ_BC = ["simulation.base_year=2015", "simulation.end_year=2020", "targets=()"]

# population.stages of configs/neijiang.cfg, whole (a list element cannot
# be set alone), with the counts and the 一级/高级 shares of a variant
NJ_STAGES = [
    ("preschool", 2932, "[ 0.15, 0.25, 0.20, 0.14, 0.10, 0.08, 0.06, 0.02, 0.0, 0.0 ]", 0.978,
     "[ 0.95, 0.048, 0.002 ]", [0.30, 0.05, 0.35, 0.27, 0.03, 0.0],
     "[ 0.18, 0.52, 0.30, 0.0 ]", "bianzhi = 0.45;"),
    ("primary", 13245, "[ 0.07, 0.13, 0.14, 0.15, 0.13, 0.13, 0.15, 0.10, 0.0, 0.0 ]", 0.73,
     "[ 0.87, 0.125, 0.005 ]", [0.05, 0.02, 0.30, 0.482, 0.147, 0.001],
     "[ 0.03, 0.32, 0.63, 0.02 ]", "bianzhi = 0.96;"),
    ("junior", 7745, "[ 0.04, 0.10, 0.12, 0.14, 0.16, 0.16, 0.18, 0.10, 0.0, 0.0 ]", 0.608,
     "[ 0.87, 0.125, 0.005 ]", [0.04, 0.01, 0.25, 0.47, 0.225, 0.005],
     "[ 0.0, 0.20, 0.78, 0.02 ]", "bianzhi = 0.96;"),
    ("senior", 3702, "[ 0.05, 0.11, 0.13, 0.14, 0.15, 0.16, 0.17, 0.09, 0.0, 0.0 ]", 0.575,
     "[ 0.87, 0.125, 0.005 ]", [0.04, 0.0, 0.22, 0.42, 0.31, 0.01],
     "[ 0.0, 0.0052, 0.9448, 0.05 ]", "bianzhi = 0.95;"),
    ("vocational", 1627, "[ 0.05, 0.11, 0.13, 0.14, 0.15, 0.16, 0.17, 0.09, 0.0, 0.0 ]", 0.58,
     "[ 0.87, 0.125, 0.005 ]", [0.05, 0.01, 0.25, 0.43, 0.255, 0.005],
     "[ 0.0, 0.10, 0.86, 0.04 ]", "bianzhi = 0.90; professional = 0.60; dual = 0.40;"),
]


def nj_stages(counts=None, senior_factor=1.0):
    out = []
    for st, count, age, fem, tiers, titles, quals, rest in NJ_STAGES:
        count = (counts or {}).get(st, count)
        t = list(titles)
        moved = round(t[4] * (1 - senior_factor), 4)
        t[4] = round(t[4] - moved, 4)
        t[3] = round(t[3] + moved, 4)
        out.append(f'{{ stage = "{st}"; count = {count}; age = {age}; female = {fem}; '
                   f'tiers = {tiers}; titles = [ {", ".join(str(x) for x in t)} ]; '
                   f'quals = {quals}; {rest} }}')
    return "population.stages=( " + ", ".join(out) + " )"


NJ_VARIANTS = {
    "main": [nj_series(NJ_PRE40)],
    "pre35": [nj_series(NJ_PRE35)],
    "preflat": [nj_series([1.0] * 6)],
    "national": [nj_series(NJ_PRE40), "staffing.ratio.primary=19.0",
                 "staffing.ratio.junior=13.5",
                 nj_stages({"primary": 10715, "junior": 6081})],
    "senior6": [nj_series(NJ_PRE40), nj_stages(senior_factor=0.94)],
    # national.cfg's 正高级 probability (4% a year), before the config's 0.5%
    "fullsenior4": [nj_series(NJ_PRE40),
                    "titles.prob=[ 0.0, 0.5, 0.25, 0.10, 0.04, 0.0 ]"],
}
SENIOR_SHARE = "title.senior.share+title.full_senior.share"
for v, sets in NJ_VARIANTS.items():
    r = f"neijiang_bc_{v}"
    RUNS[r] = Run("configs/neijiang.cfg", NJ_BC + sets, seed=NJ_SEED,
                  n=100, n_check=30)
    p = f"nj.{v}"
    for y in (2015, 2020):
        fig(f"{p}.staff.{y}", r, at("teachers.total", y))
        fig(f"{p}.senior_share.{y}", r, at(SENIOR_SHARE, y))
        fig(f"{p}.full_senior_share.{y}", r, at("title.full_senior.share", y))
    for s in ("p05", "p95"):
        fig(f"{p}.senior_share.2020.{s}", r, at(SENIOR_SHARE, 2020), s)
    for key, metric in (("hires", "hires.total"), ("exits", "exits.total"),
                        ("retire", "exits.retire"), ("voluntary", "exits.voluntary"),
                        ("death", "exits.death"),
                        ("promo_senior", "promotions.title.senior"),
                        ("promo_full_senior", "promotions.title.full_senior")):
        fig(f"{p}.{key}", r, total(metric, 2016, 2020))
        for y in YEARS_13:
            fig(f"{p}.{key}.{y}", r, at(metric, y))
        fig(f"{p}.{key}.min", r, each(metric, 2016, 2020), "ymin")
        fig(f"{p}.{key}.max", r, each(metric, 2016, 2020), "ymax")
        fig(f"{p}.{key}.per_year", r, lambda d, m=metric: d.sum(m, 2016, 2020) / 5)
    for s in ("p05", "p95"):
        fig(f"{p}.hires.{s}", r, total("hires.total", 2016, 2020), s)
    fig(f"{p}.hires_vs_doc", r, lambda d: d.sum("hires.total", 2016, 2020) / 5918 - 1)
    fig(f"{p}.p_doc", r, total("hires.total", 2016, 2020), ("ge", 5918))
    for st in ("preschool", "primary", "junior", "senior", "vocational"):
        fig(f"{p}.hires.{st}", r, total(f"hires.stage.{st}", 2016, 2020))
    fig(f"{p}.exit_rate", r,
        lambda d: d.sum("exits.total", 2016, 2020) / d.sum("teachers.total", 2015, 2019))
    fig(f"{p}.compulsory_posts_cut", r,
        lambda d: d.at("demand.primary+demand.junior", 2015)
        - d.at("demand.primary+demand.junior", 2020))
    fig(f"{p}.staff_fall", r,
        lambda d: d.at("teachers.total", 2015) - d.at("teachers.total", 2020))
    # teachers leaving 高级 a year (retiring, leaving, going on to 正高级):
    # the promotions into it less the growth of its stock
    fig(f"{p}.senior_leavers.per_year", r,
        lambda d: (d.sum("promotions.title.senior", 2016, 2020)
                   - d.at("teachers.title.senior", 2020)
                   + d.at("teachers.title.senior", 2015)) / 5)
    derived(f"{p}.senior_share.drift",
            [f"{p}.senior_share.2020", f"{p}.senior_share.2015"], lambda a, b: a - b)

# The 2015 高级 share that would reach 001's 18.6% in 2020: between the main
# run and the "2015 高级 −6%" run, linearly.
derived("nj.senior_share.implied_2015",
        ["nj.main.senior_share.2015", "nj.main.senior_share.2020",
         "nj.senior6.senior_share.2015", "nj.senior6.senior_share.2020"],
        lambda a15, a20, b15, b20: b15 + (0.186 - b20) * (a15 - b15) / (a20 - b20))

# The forward run, 2021-2025.
RUNS["neijiang"] = Run("configs/neijiang.cfg", [], seed=NJ_SEED, n=100, n_check=30)
fig("njf.hires", "neijiang", total("hires.total", 2021, 2025))
fig("njf.hires.per_year", "neijiang", lambda d: d.sum("hires.total", 2021, 2025) / 5)
fig("njf.exits.min", "neijiang", each("exits.total", 2021, 2024), "ymin")
fig("njf.exits.max", "neijiang", each("exits.total", 2021, 2024), "ymax")
fig("njf.exits.2025", "neijiang", at("exits.total", 2025))
fig("njf.exit_rate", "neijiang",
    lambda d: d.sum("exits.total", 2021, 2024) / d.sum("teachers.total", 2020, 2023))

# Neijiang: shares of the main backcast's 2016-2020 totals
fig("nj.main.retire_share", "neijiang_bc_main",
    lambda d: d.sum("exits.retire", 2016, 2020) / d.sum("exits.total", 2016, 2020))
derived("nj.main.hires_short", ["nj.main.hires_vs_doc"], lambda a: -a)

# ---- docs/regions.md ------------------------------------------------------------------
# 港北區, "The run": the forward run above ("gangbei"), 2021-2025.
for y in range(2021, 2026):
    for key, metric in (("hires", "hires.total"), ("retire", "exits.retire"),
                        ("voluntary", "exits.voluntary"), ("exch", EXCH),
                        ("cross", "rehire.cross_school")):
        fig(f"gbf.{key}.{y}", "gangbei", at(metric, y))
fig("gbf.hires", "gangbei", total("hires.total", 2021, 2025))
for s in ("p05", "p95"):
    fig(f"gbf.hires.{s}", "gangbei", total("hires.total", 2021, 2025), s)
fig("gbf.exits", "gangbei", total("exits.total", 2021, 2025))
fig("gbf.cap_growth", "gangbei",
    lambda d: d.at("establishment.cap", 2025) - d.at("establishment.cap", 2020))

# 贵阳市, the engine gaps: retirements of the first year against the later ones.
RUNS["guiyang"] = Run("configs/guiyang.cfg", [], seed=20230206, n=100, n_check=30)
for y in range(2021, 2026):
    fig(f"gy.retire.{y}", "guiyang", at("exits.retire", y))
fig("gy.retire.later.min", "guiyang", each("exits.retire", 2022, 2024), "ymin")
fig("gy.retire.later.max", "guiyang", each("exits.retire", 2022, 2024), "ymax")

# 南岸区, "Results": the config as it is, 2023-2025.
RUNS["nanan"] = Run("configs/nanan.cfg", [], seed=20221104, n=100, n_check=40)
for key, metric in (("hires", "hires.total"), ("exits", "exits.total"),
                    ("retire", "exits.retire")):
    fig(f"na.{key}.2023", "nanan", at(metric, 2023))
    fig(f"na.{key}.later.min", "nanan", each(metric, 2024, 2025), "ymin")
    fig(f"na.{key}.later.max", "nanan", each(metric, 2024, 2025), "ymax")

# 成都市, the trajectory: the config as it is (full scale: few replicates
# in the check), 2022-2025.
RUNS["chengdu"] = Run("configs/chengdu.cfg", [], seed=20180323, n=100, n_check=6)
for key, metric in (("hires", "hires.total"), ("exits", "exits.total")):
    fig(f"cd.{key}.min", "chengdu", each(metric, 2022, 2025), "ymin")
    fig(f"cd.{key}.max", "chengdu", each(metric, 2022, 2025), "ymax")


def band(name, run, q):
    """a figure with its 90% band: NAME, NAME.p05, NAME.p95"""
    fig(name, run, q)
    for s in ("p05", "p95"):
        fig(f"{name}.{s}", run, q, s)


# 港北區, "The run": the rest of the table and the text, 2020-2025.
for y in range(2020, 2026):
    for key, metric in (("staff", "teachers.total"), ("cap", "establishment.cap"),
                        ("mingshi", "teachers.tier.3"), ("gugan", "teachers.tier.1"),
                        ("senior", "teachers.title.senior"),
                        ("promo_mingshi", "promotions.tier.3")):
        fig(f"gbf.{key}.{y}", "gangbei", at(metric, y))
for y in (2020, 2025):
    fig(f"gbf.senior_share.{y}", "gangbei", at("title.senior.share", y))
    fig(f"gbf.first_share.{y}", "gangbei", at("title.first.share", y))
    fig(f"gbf.full_senior.{y}", "gangbei", at("teachers.title.full_senior", y))
    fig(f"gbf.rural_backbone.{y}", "gangbei", at("backbone.rural.share", y))
fig("gbf.redundancy", "gangbei",
    lambda d: d.at("establishment.cap", 2020) - d.at("teachers.total", 2020))
fig("gbf.promo_mingshi.later", "gangbei",
    lambda d: d.sum("promotions.tier.3", 2022, 2025) / 4)
for key, metric in (("funded", "hires.channel.funded"), ("talent", "hires.channel.talent"),
                    ("tegang", "hires.channel.tegang"), ("contract", "hires.channel.contract"),
                    ("pool", "rehire.pool_entries"), ("luopin", "exits.luopin"),
                    ("cross", "rehire.cross_school"),
                    ("exch", EXCH)):
    fig(f"gbf.{key}", "gangbei", total(metric, 2021, 2025))
    fig(f"gbf.{key}.per_year", "gangbei", lambda d, m=metric: d.sum(m, 2021, 2025) / 5)
fig("gbf.contract_staff.2025", "gangbei", at("teachers.contract", 2025))
# the targets, 2025
for t, metric in (("mingshi_100", "teachers.tier.3"), ("gugan_200", "teachers.tier.1")):
    fig(f"gbf.{t}.p_met", "gangbei", lambda d, t=t: d.met(t), ("ge", 0.5))   # 0/1: a binomial SE
    band(f"gbf.{t}", "gangbei", at(metric, 2025))
# exchange rules: national (10%, 6 years) and none
RUNS["gangbei_exch10"] = Run("configs/gangbei.cfg",
                             ["rotation.share=0.10", "rotation.eligible_years=6"],
                             seed=GB_SEED, n=100, n_check=30)
RUNS["gangbei_noexch"] = Run("configs/gangbei.cfg", ["rotation.share=0.0"],
                             seed=GB_SEED, n=100, n_check=30)
for r, p in (("gangbei_exch10", "gbf10"), ("gangbei_noexch", "gbf0")):
    fig(f"{p}.exch", r, total(EXCH, 2021, 2025))
    fig(f"{p}.senior.2025", r, at("teachers.title.senior", 2025))
    fig(f"{p}.tegang", r, total("hires.channel.tegang", 2021, 2025))
    fig(f"{p}.cross.per_year", r, lambda d: d.sum("rehire.cross_school", 2021, 2025) / 5)
    fig(f"{p}.cross", r, total("rehire.cross_school", 2021, 2025))
    fig(f"{p}.hires", r, total("hires.total", 2021, 2025))
    fig(f"{p}.unfilled.2025", r, at("posts.unfilled", 2025))
    fig(f"{p}.rural_backbone.2025", r, at("backbone.rural.share", 2025))
    for t, metric in (("mingshi_100", "teachers.tier.3"), ("gugan_200", "teachers.tier.1")):
        fig(f"{p}.{t}.p_met", r, lambda d, t=t: d.met(t), ("ge", 0.5))
        fig(f"{p}.{t}", r, at(metric, 2025))

# 港北區, baseline-year check: the 2020 row of the forward run.
for key, metric in (("senior", "teachers.title.senior"), ("first", "teachers.title.first"),
                    ("mingshi", "teachers.tier.3"), ("backbone_plus", "teachers.backbone_plus"),
                    ("junior_qual", "qual.junior.associate_plus.share")):
    band(f"gbb.{key}", "gangbei", at(metric, 2020))
for key, metric in (("staff", "teachers.total"), ("primary", "teachers.stage.primary"),
                    ("junior", "teachers.stage.junior"), ("preschool", "teachers.stage.preschool"),
                    ("ratio_primary", "ratio.students_per_teacher.primary"),
                    ("ratio_junior", "ratio.students_per_teacher.junior"),
                    ("primary_qual", "qual.primary.associate_plus.share")):
    fig(f"gbb.{key}", "gangbei", at(metric, 2020))
fig("gbf.tier2.2020", "gangbei", at("teachers.tier.2", 2020))

# ---- 内江市 (docs/regions.md): the forward run "neijiang", 2020-2025 ---------------
NJF = "neijiang"
NJ_TARGETS = {   # target -> metric (level in 2025, or the change from 2020)
    "qual_preschool_88": "qual.preschool.associate_plus.share",
    "qual_primary_99": "qual.primary.associate_plus.share",
    "qual_junior_85": "qual.junior.bachelor_plus.share",
    "postgrad_high_school_15": "qual.high_school.postgraduate.share",
    "dual_55": "dual.share", "dual_50": "dual.share",
    "unfilled_300": "posts.unfilled",
}
for t, metric in NJ_TARGETS.items():
    fig(f"njf.{t}.p_met", NJF, lambda d, t=t: d.met(t), ("ge", 0.5))   # 0/1: a binomial SE
    band(f"njf.{t}", NJF, at(metric, 2025))
fig("njf.hires_4000.p_met", NJF, lambda d: d.met("hires_4000"), ("ge", 0.5))
for s in ("p05", "p95"):
    fig(f"njf.hires.{s}", NJF, total("hires.total", 2021, 2025), s)
for t, metric in (("first_share_up", "title.first.share"),
                  ("senior_share_up", "title.senior.share")):
    fig(f"njf.{t}.p_met", NJF, lambda d, t=t: d.met(t), ("ge", 0.5))   # 0/1: a binomial SE
    band(f"njf.{t}", NJF, lambda d, m=metric: d.at(m, 2025) - d.at(m, 2020))
# 普高 and 中职 apart (the targets before the pooled one), against 15%
for st in ("senior", "vocational"):
    fig(f"njf.postgrad_{st}_15.p_met", NJF,
        lambda d, st=st: d.at(f"qual.{st}.postgraduate.share", 2025), ("ge", 0.15))
    band(f"njf.postgrad_{st}_15", NJF, at(f"qual.{st}.postgraduate.share", 2025))
fig("njf.postgrad_high_school.ge15", NJF,
    lambda d: d.at("qual.high_school.postgraduate.share", 2025), ("ge", 0.15))
# 人才引进 against 普高 hires, a year
NJ_TALENT = lambda d: (d.each("hires.channel.talent", 2021, 2025)
                       / np.maximum(d.each("hires.stage.senior", 2021, 2025), 1))
fig("njf.talent_share.min", NJF, NJ_TALENT, "ymin")
fig("njf.talent_share.max", NJF, NJ_TALENT, "ymax")
fig("njf.talent_share.below20", NJF,
    lambda d: (NJ_TALENT(d).min(axis=1) < 0.20).astype(float), ("ge", 0.5))
# the trajectory
for y in range(2020, 2026):
    for key, metric in (("staff", "teachers.total"), ("hires", "hires.total"),
                        ("exits", "exits.total"), ("retire", "exits.retire"),
                        ("gf_students", "pipeline.students.funded"),
                        ("gf_placed", "pipeline.placed.funded"),
                        ("senior_share", "title.senior.share"), ("dual", "dual.share"),
                        ("ratio_preschool", "ratio.students_per_teacher.preschool")):
        if f"njf.{key}.{y}" not in FIGURES:     # njf.exits.2025 is above
            fig(f"njf.{key}.{y}", NJF, at(metric, y))
    for st in ("preschool", "primary", "junior", "senior", "vocational"):
        fig(f"njf.{st}.{y}", NJF, at(f"teachers.stage.{st}", y))
for key, metric in (("open", "hires.channel.open"), ("funded", "hires.channel.funded"),
                    ("contract", "hires.channel.contract"),
                    ("talent", "hires.channel.talent"),
                    ("enterprise", "hires.channel.enterprise"),
                    ("exits", "exits.total"), ("retire", "exits.retire"),
                    ("voluntary", "exits.voluntary"), ("death", "exits.death"),
                    ("luopin", "exits.luopin"),
                    ("compulsory_hires", "hires.stage.primary+hires.stage.junior")):
    fig(f"njf.{key}", NJF, total(metric, 2021, 2025))

fig("njf.compulsory_growth", NJF,
    lambda d: d.at("teachers.stage.primary+teachers.stage.junior", 2025)
    / d.at("teachers.stage.primary+teachers.stage.junior", 2020) - 1)
for st in ("preschool", "vocational"):
    fig(f"njf.{st}_growth", NJF,
        lambda d, st=st: d.at(f"teachers.stage.{st}", 2025) / d.at(f"teachers.stage.{st}", 2020) - 1)
fig("njf.exits.steady", NJF, lambda d: d.sum("exits.total", 2021, 2024) / 4)
derived("njf.below_standard", ["njf.hires"], lambda a: a - 4000)
derived("njf.funded_share", ["njf.funded", "njf.compulsory_hires"], lambda a, b: a / b)
for key, metric in (("qual_senior_pg", "qual.senior.postgraduate.share"),
                    ("qual_vocational_pg", "qual.vocational.postgraduate.share"),
                    ("qual_primary", "qual.primary.associate_plus.share")):
    fig(f"njf.{key}.2025", NJF, at(metric, 2025))
    fig(f"njf.{key}.2020", NJF, at(metric, 2020))
# the ways to 双师型 55% and 研究生 15%
for r, sets in (("neijiang_dual15", ["dual.prob=0.15"]),
                ("neijiang_dual20", ["dual.prob=0.20"]),
                ("neijiang_enterprise", ["recruitment.channels.enterprise.cohort=-1"]),
                ("neijiang_talent30", ["recruitment.channels.talent.share=0.30"])):
    RUNS[r] = Run("configs/neijiang.cfg", sets, seed=NJ_SEED, n=100, n_check=20)
    fig(f"{r}.dual", r, at("dual.share", 2025))
    fig(f"{r}.qual_senior_pg", r, at("qual.senior.postgraduate.share", 2025))

# 内江市, baseline-year check: the 2020 row
for key, metric in (("senior_share", "title.senior.share"),
                    ("full_senior_share", "title.full_senior.share"),
                    ("senior_plus_share", SENIOR_SHARE),
                    ("junior_qual", "qual.junior.associate_plus.share"),
                    ("primary_secondary", "qual.primary.secondary"),
                    ("senior_qual", "qual.senior.bachelor_plus.share"),
                    ("ratio_senior", "ratio.students_per_teacher.senior"),
                    ("ratio_vocational", "ratio.students_per_teacher.vocational"),
                    ("students_preschool", "students.preschool"),
                    ("students_primary", "students.primary"),
                    ("students_junior", "students.junior"),
                    ("students_senior", "students.senior"),
                    ("students_vocational", "students.vocational"),
                    ("female_share", "teachers.female.share"),
                    ("bianzhi", "teachers.bianzhi"), ("backbone_plus", "teachers.backbone_plus"),
                    ("mingshi", "teachers.tier.2")):   # 名教师, the top of three tiers
    fig(f"njb.{key}", NJF, at(metric, 2020))
fig("njb.primary_secondary_share", NJF,
    lambda d: d.at("qual.primary.secondary", 2020) / d.at("teachers.stage.primary", 2020))
fig("njb.bianzhi_share", NJF,
    lambda d: d.at("teachers.bianzhi", 2020) / d.at("teachers.total", 2020))
fig("njb.backbone_plus_share", NJF,
    lambda d: d.at("teachers.backbone_plus", 2020) / d.at("teachers.total", 2020))
# the 待岗培训 pool, by year, and without the exchange
for y in (2023, 2024, 2025):
    fig(f"njf.pool.{y}", NJF, at("teachers.pool", y))
RUNS["neijiang_noexch"] = Run("configs/neijiang.cfg", ["rotation.share=0.0"],
                              seed=NJ_SEED, n=100, n_check=20)
fig("neijiang_noexch.pool.2025", "neijiang_noexch", at("teachers.pool", 2025))
fig("neijiang_noexch.luopin", "neijiang_noexch", total("exits.luopin", 2021, 2025))

# ---- 贵阳市 (docs/regions.md), "Results": the config as it is, 2020-2025 ---------
GY = "guiyang"
GY_DEMAND = "demand.preschool+demand.primary+demand.junior+demand.senior"
for key, metric in (("staff", "teachers.total"), ("female", "teachers.female.share"),
                    ("none_share", "title.none.share"), ("first_share", "title.first.share"),
                    ("senior_share", "title.senior.share"),
                    ("backbone_plus", "teachers.backbone_plus"), ("bianzhi", "teachers.bianzhi"),
                    ("demand", GY_DEMAND), ("rural_backbone", "backbone.rural.share")):
    fig(f"gyb.{key}", GY, at(metric, 2020))
fig("gyb.staffed", GY, lambda d: d.at("teachers.total", 2020) / d.at(GY_DEMAND, 2020))
for y in range(2020, 2026):
    for key, metric in (("staff", "teachers.total"), ("hires", "hires.total"),
                        ("exits", "exits.total"), ("exch", EXCH),
                        ("strikes1", "strikes.1"), ("strikes2", "strikes.2"),
                        ("unfilled", "posts.unfilled")):
        fig(f"gy.{key}.{y}", GY, at(metric, y))
fig("gy.hires_share.2023", GY, lambda d: d.at("hires.total", 2023) / d.at("teachers.total", 2022))
fig("gy.exch.pilot", GY, lambda d: d.sum(EXCH, 2022, 2023) / 2)
fig("gy.exch.later", GY, lambda d: d.sum(EXCH, 2024, 2025) / 2)
fig("gy.rural_backbone.2025", GY, at("backbone.rural.share", 2025))
fig("gy.strikes1.per_year", GY, lambda d: d.sum("strikes.1", 2021, 2025) / 5)
fig("gy.strikes2.min", GY, each("strikes.2", 2021, 2025), "ymin")
fig("gy.strikes2.max", GY, each("strikes.2", 2021, 2025), "ymax")
fig("gy.dismiss", GY, total("exits.dismiss", 2021, 2025))
fig("gy.unfilled.per_year", GY, lambda d: d.sum("posts.unfilled", 2021, 2025) / 5)
fig("gy.luopin", GY, total("exits.luopin", 2021, 2025))
fig("gy.pool.2025", GY, at("teachers.pool", 2025))
fig("gy.hires", GY, total("hires.total", 2021, 2025))
fig("gy.hires_share_2025", GY,
    lambda d: d.sum("hires.total", 2021, 2025) / d.at("teachers.total", 2025))
fig("gy.none_share.2025", GY, at("title.none.share", 2025))
fig("gy.preschool_hires.2023", GY, at("hires.stage.preschool", 2023))
for t, metric in (("senior_title_share_up", "title.senior.share"),
                  ("first_title_share_up", "title.first.share"),
                  ("no_title_share_down", "title.none.share")):
    fig(f"gy.{t}.p_met", GY, lambda d, t=t: d.met(t), ("ge", 0.5))
    band(f"gy.{t}", GY, lambda d, m=metric: d.at(m, 2025) - d.at(m, 2020))
for st in ("primary", "junior", "senior"):
    t = f"staffing_standard_{st}"
    fig(f"gy.{t}.p_met", GY, lambda d, t=t: d.met(t), ("ge", 0.5))
    band(f"gy.{t}", GY, lambda d, t=t: d.quantity(t))
GY_COUNTIES = ["云岩区", "南明区", "花溪区", "观山湖区", "乌当区", "白云区", "贵安新区",
               "清镇市", "开阳县", "修文县", "息烽县"]
for i, c in enumerate(GY_COUNTIES):
    for key, metric in (("gap", "gap.total"), ("room", "establishment.room"),
                        ("contract", "teachers.contract")):
        fig(f"gyc.{i}.{key}", GY, lambda d, c=c, m=metric: d.county(m, c, 2025))
    fig(f"gyc.{i}.room_primary.p_met", GY,
        lambda d, c=c: (d.county("establishment.room.primary", c, 2025) <= 0).astype(float),
        ("ge", 0.5))
# 二级 -> 一级 at 0.5 a year
# 贵阳市, the 一级 change with the first title at once after the probation year
# (kindergartens too), and with filling from 2021
for r, sets in (("guiyang_none1", ["titles.rate_from_none_stage.preschool=1.0"]),
                ("guiyang_fill", ['recruitment.policy="fill"'])):
    RUNS[r] = Run("configs/guiyang.cfg", sets, seed=20230206, n=100, n_check=20)
    fig(f"{r}.first_change", r, lambda d: d.quantity("first_title_share_up"))
# 港北區, the demotion rule against none
RUNS["gangbei_nodemote"] = Run("configs/gangbei.cfg", ["titles.demotion=0.0"],
                               seed=GB_SEED, n=100, n_check=30)
fig("gbd.senior.2025", "gangbei_nodemote", at("teachers.title.senior", 2025))
for t in ("mingshi_100", "gugan_200"):
    fig(f"gbd.{t}.p_met", "gangbei_nodemote", lambda d, t=t: d.met(t), ("ge", 0.5))
fig("gbf.demotions.per_year", "gangbei", lambda d: d.sum("titles.demotions", 2021, 2025) / 5)
band("gbf.senior.2025b", "gangbei", at("teachers.title.senior", 2025))
# 成都市, 双师型 at national.cfg's rate
RUNS["chengdu_dual05"] = Run("configs/chengdu.cfg", ["dual.prob=0.05"], seed=20180323,
                             n=20, n_check=6)
for y in (2021, 2025):
    fig(f"cd_dual05.dual.{y}", "chengdu_dual05", at("dual.share", y))
RUNS["guiyang_first05"] = Run("configs/guiyang.cfg",
                              ["titles.prob=[0.0, 0.5, 0.5, 0.10, 0.04, 0.0]"],
                              seed=20230206, n=100, n_check=20)
fig("gy.first05.p_met", "guiyang_first05", lambda d: d.met("first_title_share_up"), ("ge", 0.5))
band("gy.first05", "guiyang_first05",
     lambda d: d.at("title.first.share", 2025) - d.at("title.first.share", 2020))
# no exchange: the counties' surpluses without returning exchange teachers
RUNS["guiyang_noexch"] = Run("configs/guiyang.cfg", ["rotation.share=0.0"],
                             seed=20230206, n=100, n_check=20)
for i in (2, 7):      # 花溪区, 清镇市: the pilot counties
    fig(f"gyc0.{i}.gap", "guiyang_noexch",
        lambda d, c=GY_COUNTIES[i]: d.county("gap.total", c, 2025))

# ---- 南岸区 (docs/regions.md), "Results": the rest, 2022-2025 --------------------
NA = "nanan"
NA_DEMAND = ("demand.preschool+demand.primary+demand.junior+demand.senior"
             "+demand.vocational")
for key, metric in (("staff", "teachers.total"), ("female", "teachers.female.share"),
                    ("backbone_plus", "teachers.backbone_plus"),
                    ("bajian", "teachers.tier.2"), ("zhuoyue", "teachers.tier.3"),
                    ("dual", "dual.share"), ("senior_share", "title.senior.share"),
                    ("first_share", "title.first.share")):
    fig(f"nab.{key}", NA, at(metric, 2022))
for y in (2023, 2024, 2025):
    fig(f"na.staff.{y}", NA, at("teachers.total", y))
for y in (2022, 2023):
    fig(f"na.demand.{y}", NA, at(NA_DEMAND, y))
fig("na.gap.2022", NA, lambda d: d.at(NA_DEMAND, 2022) - d.at("teachers.total", 2022))
fig("nab.staffed", NA, lambda d: d.at("teachers.total", 2022) / d.at(NA_DEMAND, 2022))
fig("na.voluntary.per_year", NA, lambda d: d.sum("exits.voluntary", 2023, 2025) / 3)
fig("na.voluntary.rate", NA,
    lambda d: d.sum("exits.voluntary", 2023, 2025) / d.sum("teachers.total", 2022, 2024))
fig("na.exch.per_year", NA, lambda d: d.sum(EXCH, 2023, 2025) / 3)
fig("na.contract", NA, total("hires.channel.contract", 2023, 2025))
NA_SUBJECTS = ("morality", "pe", "arts", "labour", "mental_health")
NA_TARGETS = {"backbone_1500": "teachers.backbone_plus",
              "municipal_mingshi_60": "teachers.tier.2",
              "national_mingshi_10": "teachers.tier.3", "dual_75": "dual.share"}
for t, metric in NA_TARGETS.items():
    fig(f"na.{t}.p_met", NA, lambda d, t=t: d.met(t), ("ge", 0.5))
    band(f"na.{t}", NA, at(metric, 2025))
fig("na.teachers_grow_every_year.p_met", NA,
    lambda d: d.met("teachers_grow_every_year"), ("ge", 0.5))
band("na.teachers_grow_every_year", NA, lambda d: d.quantity("teachers_grow_every_year"))
# 000's subject shortages: the target per subject, and the path 2022 -> 2025
for sj in NA_SUBJECTS:
    t = f"no_{sj}_shortage"
    fig(f"na.{t}.p_met", NA, lambda d, t=t: d.met(t), ("ge", 0.5))
    band(f"na.{t}", NA, at(f"shortage.subject.{sj}", 2025))
    for y in (2022, 2025):
        fig(f"na.shortage.{sj}.{y}", NA, at(f"shortage.subject.{sj}", y))
        fig(f"na.without.{sj}.{y}", NA, at(f"schools.without.{sj}", y))
        fig(f"na.teachers.{sj}.{y}", NA, at(f"teachers.subject.{sj}", y))
# what the targets would need (40 replicates each in the text)
for r, sets in (("nanan_tier10", ["tiers.prob=[0.10, 0.02, 0.03]"]),
                ("nanan_tier08", ["tiers.prob=[0.08, 0.02, 0.03]"]),
                ("nanan_top15", ["tiers.prob=[0.04, 0.02, 0.15]"]),
                ("nanan_top25", ["tiers.prob=[0.04, 0.02, 0.25]"]),
                ("nanan_dual20", ["dual.prob=0.20"]),
                ("nanan_dual15", ["dual.prob=0.15"])):
    RUNS[r] = Run("configs/nanan.cfg", sets, seed=20221104, n=40, n_check=20)
    for t, metric in NA_TARGETS.items():
        fig(f"{r}.{t}.p_met", r, lambda d, t=t: d.met(t), ("ge", 0.5))
        fig(f"{r}.{t}", r, at(metric, 2025))
RUNS["nanan_retrain05"] = Run("configs/nanan.cfg", ["subjects.retrain.prob=0.05"],
                              seed=20221104, n=40, n_check=20)
for sj in NA_SUBJECTS:
    fig(f"nanan_retrain05.shortage.{sj}", "nanan_retrain05",
        at(f"shortage.subject.{sj}", 2025))
    fig(f"nanan_retrain05.no_{sj}_shortage.p_met", "nanan_retrain05",
        lambda d, sj=sj: d.met(f"no_{sj}_shortage"), ("ge", 0.5))
fig("nanan_tier10.new_backbone.per_year", "nanan_tier10",
    lambda d: d.sum("promotions.tier.1", 2023, 2025) / 3)
RUNS["nanan_flat"] = Run("configs/nanan.cfg",
                         [f"enrolment.trend.{st}=[0.0, 0.0, 0.0]" for st in
                          ("preschool", "primary", "junior", "senior", "vocational")],
                         seed=20221104, n=40, n_check=20)
fig("nanan_flat.teachers_grow_every_year.p_met", "nanan_flat",
    lambda d: d.met("teachers_grow_every_year"), ("ge", 0.5))
for y in (2023, 2024, 2025):
    fig(f"nanan_flat.staff.{y}", "nanan_flat", at("teachers.total", y))

# ---- 成都市 (docs/regions.md): targets and trajectory, 2021-2025 -------------------
CD = "chengdu"
CD_TARGETS = {"dual_half_2022": ("dual.share", 2022), "dual_half_2025": ("dual.share", 2025),
              "ratio_primary_2025": ("ratio.students_per_teacher.primary", 2025),
              "ratio_junior_2025": ("ratio.students_per_teacher.junior", 2025),
              "ratio_senior_2025": ("ratio.students_per_teacher.senior", 2025),
              "ratio_preschool_2025": ("ratio.students_per_teacher.preschool", 2025)}
for t, (metric, y) in CD_TARGETS.items():
    fig(f"cd.{t}.p_met", CD, lambda d, t=t: d.met(t), ("ge", 0.5))
    band(f"cd.{t}", CD, at(metric, y))
CD_STAGES = ("preschool", "primary", "junior", "senior", "vocational")
CD_DEMAND = "+".join(f"demand.{st}" for st in CD_STAGES)
for y in (2021, 2025):
    fig(f"cd.staff.{y}", CD, at("teachers.total", y))
    fig(f"cd.rural_backbone.{y}", CD, at("backbone.rural.share", y))
    for st in CD_STAGES:
        fig(f"cd.{st}.{y}", CD, at(f"teachers.stage.{st}", y))
fig("cd.demand_gap.2021", CD,
    lambda d: np.abs(d.at(CD_DEMAND, 2021) - d.at("teachers.total", 2021)))
fig("cd.exch.per_year", CD, lambda d: d.sum(EXCH, 2022, 2025) / 4)
fig("cd.pool.2025", CD, at("teachers.pool", 2025))
for sj in ("pe", "arts"):      # 004's 体育艺术教师队伍, no target
    for y in (2021, 2025):
        fig(f"cd.teachers.{sj}.{y}", CD, at(f"teachers.subject.{sj}", y))
        fig(f"cd.shortage.{sj}.{y}", CD, at(f"shortage.subject.{sj}", y))
        fig(f"cd.without.{sj}.{y}", CD, at(f"schools.without.{sj}", y))
fig("cd.luopin.2025", CD, at("exits.luopin", 2025))
# 港北區, "The run": the 名師 pipeline's sensitivity runs (100 replicates each)
GB_SPLIT = [f"population.stages[{i}].tiers=[0.9658, 0.01615, 0.01615, 0.0019]"
            for i in range(3)]               # the 170 allowance teachers 85/85
GB_NOCAP = ["tiers.capacity=[-1, -1, -1, -1]"]
for r, sets in (("gb_p20", ["tiers.prob=[0.02, 0.20, 0.50]"]),
                ("gb_nocap", GB_NOCAP),
                ("gb_split", GB_SPLIT),
                ("gb_split_fast", GB_SPLIT + ["tiers.min_years=[5, 3, 2]",
                                              "tiers.prob=[0.02, 0.20, 0.50]"]),
                ("gb_split_all", GB_SPLIT + GB_NOCAP + ["tiers.min_years=[5, 2, 2]",
                                                        "tiers.prob=[0.02, 0.30, 0.60]"]),
                ("gb_hist", GB_NOCAP + ["tiers.prob=[0.002, 0.03, 0.03]"])):
    RUNS[r] = Run("configs/gangbei.cfg", sets, seed=GB_SEED, n=100, n_check=20)
    fig(f"{r}.mingshi", r, at("teachers.tier.3", 2025))
    fig(f"{r}.gugan", r, at("teachers.tier.1", 2025))
    for t in ("mingshi_100", "gugan_200"):
        fig(f"{r}.{t}.p_met", r, lambda d, t=t: d.met(t), ("ge", 0.5))
# the optimize answer (README, "港北: 100 名师 by 2025"), checked at the
# answer: the search's 400 replicates, and fresh random numbers
GB_OPT = ["tiers.prob=[0.04, 1.0, 1.0]", "tiers.capacity=[-1, 70, 30, 30]"]
RUNS["gb_opt"] = Run("configs/gangbei.cfg", GB_OPT, seed=GB_SEED, n=400, n_check=50)
RUNS["gb_opt99"] = Run("configs/gangbei.cfg", GB_OPT, seed=99, n=2000, n_check=50)
for r in ("gb_opt", "gb_opt99"):
    for t in ("mingshi_100", "gugan_200"):
        fig(f"{r}.{t}.p_met", r, lambda d, t=t: d.met(t), ("ge", 0.5))
    fig(f"{r}.mingshi", r, at("teachers.tier.3", 2025))
# 港北區, "Closures": the config against the same config without closures
RUNS["gangbei_noclose"] = Run("configs/gangbei.cfg", ["closures=()"], seed=GB_SEED,
                              n=100, n_check=30)
fig("gbc.open.2025", "gangbei", at("schools.open.primary", 2025))
fig("gbc.moved", "gangbei", total("closures.teachers_moved", 2021, 2025))
fig("gbc.closed", "gangbei", total("closures.schools", 2021, 2025))
for r, p in (("gangbei", "gbc"), ("gangbei_noclose", "gbc0")):
    fig(f"{p}.rural.2025", r, at("teachers.stage.primary.rural", 2025))
    fig(f"{p}.town.2025", r, at("teachers.stage.primary.town", 2025))
    fig(f"{p}.rural_gap.2025", r, at("gap.primary.rural", 2025))
    fig(f"{p}.unfilled", r, total("posts.unfilled.primary", 2021, 2025))
    fig(f"{p}.exch", r, total(EXCH, 2021, 2025))
    fig(f"{p}.cross", r, total("rehire.cross_school", 2021, 2025))
    fig(f"{p}.tegang", r, total("hires.channel.tegang", 2021, 2025))
    fig(f"{p}.pupils.2025", r, at("students.primary", 2025))
    fig(f"{p}.demand.2025", r, at("demand.primary", 2025))
    fig(f"{p}.mingshi", r, at("teachers.tier.3", 2025))
    fig(f"{p}.gugan", r, at("teachers.tier.1", 2025))
for y in range(2021, 2026):
    fig(f"gbc.closed.{y}", "gangbei", at("closures.schools", y))
derived("gbc.open_after", ["gbc.closed"], lambda c: 76 - c)
derived("gbc.pupils_more", ["gbc.pupils.2025", "gbc0.pupils.2025"], lambda a, b: a - b)
derived("gbc.demand_more", ["gbc.demand.2025", "gbc0.demand.2025"], lambda a, b: a - b)

# 港北區, "The exchange fix": the "after" column is the forward run
fig("gbf.unfilled.2025", "gangbei", at("posts.unfilled", 2025))
derived("gbf.senior.2025_vs_noexch", ["gbf.senior.2025", "gbf0.senior.2025"],
        lambda a, b: a - b)
RUNS["gangbei_school"] = Run("configs/gangbei.cfg", ["rotation.exchange_basis=\"school\""],
                             seed=GB_SEED, n=100, n_check=20)
fig("gangbei_school.exch", "gangbei_school", total(EXCH, 2021, 2025))
# 贵阳市: the first title of kindergarten staff, swept (the text's `twsim sweep`)
GY_NONE_RATES = ("0.05", "0.2", "0.22", "0.25", "0.28", "0.3", "0.4", "0.6", "1.0")
for v in GY_NONE_RATES:
    r = "guiyang_none_" + v.replace(".", "")
    RUNS[r] = Run("configs/guiyang.cfg", [f"titles.rate_from_none_stage.preschool={v}"],
                  seed=20230206, n=100, n_check=20)
    fig(f"{r}.change", r,
        lambda d: d.at("title.none.share", 2025) - d.at("title.none.share", 2020))
    fig(f"{r}.p_met", r, lambda d: d.met("no_title_share_down"), ("ge", 0.5))
# 内江市, 未定级 with kindergarten staff leaving it at 25% a year
for y in (2020, 2021, 2025):
    fig(f"njf.none_share.{y}", NJF, at("title.none.share", y))
# ... and with the rule before it (the first title right after the probation
# year, for kindergarten staff too)
RUNS["neijiang_none1"] = Run("configs/neijiang.cfg",
                             ["titles.rate_from_none_stage.preschool=1.0"],
                             seed=NJ_SEED, n=100, n_check=20)
for y in (2021, 2025):
    fig(f"neijiang_none1.none_share.{y}", "neijiang_none1", at("title.none.share", y))
for t in ("qual_preschool_88", "qual_junior_85"):
    fig(f"neijiang_none1.{t}.p_met", "neijiang_none1", lambda d, t=t: d.met(t), ("ge", 0.5))
fig("neijiang_none1.first_share_up", "neijiang_none1",
    lambda d: d.quantity("first_share_up"))
fig("neijiang_noexch.hires", "neijiang_noexch", total("hires.total", 2021, 2025))
fig("njf.returns.per_year", NJF, lambda d: d.sum("exchanges.returns", 2024, 2025) / 2)
# 内江市, "Scope and exchange posting fixed": the "after both" column
for key, metric in (("exch", EXCH), ("cross", "rehire.cross_school"),
                    ("pool_entries", "rehire.pool_entries"), ("tegang", "hires.channel.tegang")):
    fig(f"njf.{key}", NJF, total(metric, 2021, 2025))
fig("njf.luopin.2025", NJF, at("exits.luopin", 2025))
fig("njf.exch.per_year", NJF, lambda d: d.sum(EXCH, 2021, 2025) / 5)
# 内江市, "Subjects"
for sj in ("mental_health", "pe", "arts", "morality", "labour"):
    for y in (2020, 2025):
        fig(f"njs.teachers.{sj}.{y}", NJF, at(f"teachers.subject.{sj}", y))
        fig(f"njs.shortage.{sj}.{y}", NJF, at(f"shortage.subject.{sj}", y))
        fig(f"njs.without.{sj}.{y}", NJF, at(f"schools.without.{sj}", y))
band("njs.mh.2025", NJF, at("teachers.subject.mental_health", 2025))
band("njs.mh_without.2025", NJF, at("schools.without.mental_health", 2025))
fig("njs.mental_health_every_school.p_met", NJF,
    lambda d: d.met("mental_health_every_school"), ("ge", 0.5))
fig("njs.retrained.per_year", NJF, lambda d: d.sum("subjects.retrained", 2021, 2025) / 5)
fig("njs.teaching_load.2020", NJF, at("demand.teaching_load", 2020))
fig("njs.ratio_demand.2020", NJF,
    at("+".join(f"demand.{st}" for st in
                ("preschool", "primary", "junior", "senior", "vocational")), 2020))
# ... and with each rule taken away (100 replicates each)
for r, sets in (("neijiang_noretrain", ["subjects.retrain.prob=0.0"]),
                ("neijiang_nofloor", ["subjects.floor.mental_health=0.0"]),
                ("neijiang_neither", ["subjects.retrain.prob=0.0",
                                      "subjects.floor.mental_health=0.0"])):
    RUNS[r] = Run("configs/neijiang.cfg", sets, seed=NJ_SEED, n=100, n_check=20)
    fig(f"{r}.without.2025", r, at("schools.without.mental_health", 2025))
    fig(f"{r}.mh.2025", r, at("teachers.subject.mental_health", 2025))
# ... against no exchange and against 县管校聘 in every stage
RUNS["neijiang_allstages"] = Run(
    "configs/neijiang.cfg",
    ['rotation.stages=["preschool", "primary", "junior", "senior", "vocational"]'],
    seed=NJ_SEED, n=100, n_check=20)
for r in ("neijiang_noexch", "neijiang_allstages"):
    for key, metric in (("exch", EXCH), ("cross", "rehire.cross_school"),
                        ("pool_entries", "rehire.pool_entries"),
                        ("tegang", "hires.channel.tegang")):
        fig(f"{r}.{key}", r, total(metric, 2021, 2025))
    if r != "neijiang_noexch":
        fig(f"{r}.luopin", r, total("exits.luopin", 2021, 2025))
        fig(f"{r}.pool.2025", r, at("teachers.pool", 2025))
        fig(f"{r}.hires", r, total("hires.total", 2021, 2025))
    fig(f"{r}.postgrad", r, at("qual.high_school.postgraduate.share", 2025))
    for t in ("qual_preschool_88", "qual_junior_85", "hires_4000"):
        fig(f"{r}.{t}.p_met", r, lambda d, t=t: d.met(t), ("ge", 0.5))
derived("njf.hires_vs_noexch", ["njf.hires", "neijiang_noexch.hires"], lambda a, b: a - b)

def uncertain_keys(cfg):
    """The setting keys of a config's uncertainty group, in order."""
    with open(cfg, encoding="utf-8") as f:
        text = f.read()
    text = text[text.index("\nuncertainty = {"):]
    return re.findall(r'\{\s*key\s*=\s*"([^"]+)"', text)


def key_slug(key):
    """A setting key as part of a figure name: population.stages[*].tiers[1]
    -> population.stages.all.tiers.1"""
    return key.replace("[*]", ".all").replace("[", ".").replace("]", "")


# ---- "What the verdicts rest on": runs over the configs' ranges (ranges=True;
# twsim then writes /sensitivity): P(met) over the ranges and at the written
# values ("central"), the band of P(met | point) and the variance shares.
# Gangbei's and Nan'an's are checked at the documented 1,000 replicates (a
# few seconds: the check reproduces them exactly); the others at fewer, with
# the band's and the shares' tolerances from the check's own points
# (docs/figures.md).
for r, cfg, seed, n_check, targets in (
        ("gangbei_ranges", "configs/gangbei.cfg", GB_SEED, 1000,
         ("mingshi_100", "gugan_200")),
        ("neijiang_ranges", "configs/neijiang.cfg", NJ_SEED, 100, tuple(NJ_TARGETS)
         + ("hires_4000", "first_share_up", "senior_share_up")),
        ("nanan_ranges", "configs/nanan.cfg", 20221104, 1000,
         tuple(NA_TARGETS) + ("teachers_grow_every_year",)
         + tuple(f"no_{s}_shortage" for s in NA_SUBJECTS)),
        ("guiyang_ranges", "configs/guiyang.cfg", 20230206, 100,
         ("senior_title_share_up", "first_title_share_up", "no_title_share_down",
          "staffing_standard_primary", "staffing_standard_junior",
          "staffing_standard_senior")),
        ("chengdu_ranges", "configs/chengdu.cfg", 20180323, 40,
         ("dual_half_2022", "dual_half_2025", "ratio_primary_2025",
          "ratio_junior_2025", "ratio_senior_2025", "ratio_preschool_2025"))):
    RUNS[r] = Run(cfg, [], seed=seed, n=1000, n_check=n_check, ranges=True)
    for t in targets:
        for field in ("p_met", "p_central", "p_cond_p10", "p_cond_p90",
                      "random_share"):
            fig(f"{r}.{t}.{field}", r, t, ("sensitivity", field))
        for key in uncertain_keys(cfg):
            fig(f"{r}.{t}.share.{key_slug(key)}", r, t,
                ("sensitivity", "share", key))
# quantities over the ranges quoted in the verdict column
for r, t in (("neijiang_ranges", "hires_4000"), ("nanan_ranges", "backbone_1500"),
             ("nanan_ranges", "teachers_grow_every_year"),
             ("chengdu_ranges", "ratio_primary_2025")):
    band(f"{r}.{t}.q", r, lambda d, t=t: d.quantity(t))
# the ensemble over the ranges, Gangbei
for t, metric in (("mingshi_100", "teachers.tier.3"), ("gugan_200", "teachers.tier.1")):
    band(f"gangbei_ranges.{t}", "gangbei_ranges", at(metric, 2025))
# 贵阳市, the optimize answer (a quota per county), checked at 580 and 570
for r, q, seed, n in (("gy_q580", 580, 20230206, 400), ("gy_q570", 570, 20230206, 400),
                      ("gy_q580s7", 580, 7, 1000)):
    RUNS[r] = Run("configs/guiyang.cfg", ["recruitment.policy=quota",
                                          f"recruitment.quota={q}"],
                  seed=seed, n=n, n_check=40)
    for st in ("primary", "junior", "senior"):
        fig(f"{r}.{st}.p_met", r, lambda d, st=st: d.met(f"staffing_standard_{st}"),
            ("ge", 0.5))
# 贵阳市 with every enrolment trend at 0 (the plain config)
RUNS["guiyang_flat"] = Run("configs/guiyang.cfg",
                           [f"enrolment.trend.{st}=[0.0, 0.0, 0.0]"
                            for st in ("primary", "junior", "senior", "preschool")],
                           seed=20230206, n=100, n_check=20)
for key, metric in (("first", "title.first.share"), ("none", "title.none.share"),
                    ("senior", "title.senior.share")):
    fig(f"guiyang_flat.{key}_change", "guiyang_flat",
        lambda d, m=metric: d.at(m, 2025) - d.at(m, 2020))
for t in ("senior_title_share_up", "first_title_share_up", "no_title_share_down"):
    fig(f"guiyang_flat.{t}.p_met", "guiyang_flat", lambda d, t=t: d.met(t), ("ge", 0.5))
