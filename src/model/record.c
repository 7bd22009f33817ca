/*
 * record.c - the full model's metrics (see tw_record.h).
 *
 * Conventions:
 *   - stocks count every teacher still employed at the end of the year,
 *     including those in the 待岗培训 pool, by the stage of the school that
 *     holds their post; the locality split is where they teach (an
 *     exchange teacher counts in the rural school);
 *   - flows are this year's counts from s->f; the base year's are 0;
 *   - a share whose denominator is 0 is recorded as 0.
 */
#include "tw_record.h"

#include "proc_recruit.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const char *const AGE_NAMES[TW_N_AGE_BANDS] = {
    "lt25", "25_29", "30_34", "35_39", "40_44",
    "45_49", "50_54", "55_59", "60_64", "65plus"};

/*
 * The label parts the engine writes, [script][...] (tw_script: 0
 * simplified, 1 traditional). A label is "<scope> <measure>": the scope a
 * stage (or stage group), locality, channel or subject, the measure a
 * noun, e.g. "小学 乡村 专任教师", "小学 生师比". Every label of a table is
 * distinct (tests/check_full.c checks it for every config).
 */
static const char *const STAGE_ZH[2][TW_N_STAGES] = {
    {"学前", "小学", "初中", "普高", "中职"},
    {"學前", "小學", "初中", "普高", "中職"}};
static const char *const LOC_ZH[2][TW_N_LOCS] = {
    {"城区", "镇区", "乡村"}, {"城區", "鎮區", "鄉村"}};
/* the titles (职称) as teachers hold them */
static const char *const TITLE_ZH[2][TW_N_TITLES] = {
    {"未定级教师", "三级教师", "二级教师", "一级教师", "高级教师",
     "正高级教师"},
    {"未定級教師", "三級教師", "二級教師", "一級教師", "高級教師",
     "正高級教師"}};
static const char *const QUAL_ZH[2][TW_N_QUALS] = {
    {"中专及以下学历", "专科学历", "本科学历", "研究生学历"},
    {"中專及以下學歷", "專科學歷", "本科學歷", "研究生學歷"}};
static const char *const CH_ZH[2][TW_N_CHANNELS] = {
    {"公开招聘", "公费师范生", "特岗", "人才引进", "企业引进", "合同",
     "初始"},
    {"公開招聘", "公費師範生", "特崗", "人才引進", "企業引進", "合同",
     "初始"}};
static const char *const EXIT_ZH[2][TW_N_EXITS] = {
    {"死亡", "退休", "自愿离职", "末位退出", "落聘"},
    {"死亡", "退休", "自願離職", "末位退出", "落聘"}};
static const char *const AGE_ZH[2][TW_N_AGE_BANDS] = {
    {"年龄 25岁以下", "年龄 25–29岁", "年龄 30–34岁", "年龄 35–39岁",
     "年龄 40–44岁", "年龄 45–49岁", "年龄 50–54岁", "年龄 55–59岁",
     "年龄 60–64岁", "年龄 65岁及以上"},
    {"年齡 25歲以下", "年齡 25–29歲", "年齡 30–34歲", "年齡 35–39歲",
     "年齡 40–44歲", "年齡 45–49歲", "年齡 50–54歲", "年齡 55–59歲",
     "年齡 60–64歲", "年齡 65歲及以上"}};

/* A label part in the table's script: simplified s, traditional t. */
#define ZH(s, t) (trad ? (t) : (s))

/* A metric; returns its column or TW_NO_METRIC with err set. */
#define ADD(slot, name, unit, label, ...)                                  \
    do {                                                                   \
        long k_ = tw_metrics_add(t, err, name, unit, label, __VA_ARGS__);  \
        if (k_ < 0)                                                        \
            return err ? err->code : TW_EFAIL;                             \
        (slot) = (size_t)k_;                                               \
    } while (0)

static void none(size_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        v[i] = TW_NO_METRIC;
}

int tw_fm_build(tw_fm *fm, tw_metric_table *t, const tw_world *w,
                tw_error *err)
{
    char n[TW_METRIC_NAME_MAX], l[TW_METRIC_LABEL_MAX];
    int trad = w->script == TW_SCRIPT_TRADITIONAL;
    memset(fm, 0, sizeof *fm);
    /* every column field (all size_t, from `total` up to backbone_tier) */
    none(&fm->total, offsetof(tw_fm, backbone_tier) / sizeof(size_t));
    for (size_t i = 0; i < w->n_schools; i++)
        fm->stage_present[w->schools[i].stage] = 1;
    /* the slots of by-stage metrics: the stages, then the stage groups */
    const char *SN[TW_FM_SLOTS], *SZ[TW_FM_SLOTS];
    for (int st = 0; st < TW_N_STAGES; st++) {
        SN[st] = tw_stage_names[st];
        SZ[st] = STAGE_ZH[trad][st];
        fm->slot_mask[st] = 1 << st;
    }
    for (size_t g = 0; g < TW_MAX_STAGE_GROUPS; g++) {
        int sl = TW_N_STAGES + (int)g;
        const tw_stage_group *sg = &w->stage_groups[g];
        SN[sl] = sg->name;
        SZ[sl] = sg->label[0] ? sg->label : sg->name;
        fm->slot_mask[sl] = g < w->n_stage_groups ? sg->mask : 0;
        for (int st = 0; st < TW_N_STAGES; st++)
            if ((fm->slot_mask[sl] >> st & 1) && fm->stage_present[st])
                fm->stage_present[sl] = 1;
    }
    fm->backbone_tier = w->n_counties ? w->cparams[0].backbone_tier : 0;

    /* stocks */
    ADD(fm->total, "teachers.total", "teachers", ZH("专任教师", "專任教師"),
        "All teachers at the end of the year (incl. the 待岗培训 pool)");
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        snprintf(n, sizeof n, "teachers.stage.%s", SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("专任教师", "專任教師"));
        ADD(fm->stage[st], n, "teachers", l,
            "Teachers of %s schools", SN[st]);
        for (int lo = 0; lo < TW_N_LOCS; lo++) {
            snprintf(n, sizeof n, "teachers.stage.%s.%s", SN[st],
                     tw_loc_names[lo]);
            snprintf(l, sizeof l, "%s %s %s", SZ[st], LOC_ZH[trad][lo],
                     ZH("专任教师", "專任教師"));
            ADD(fm->stage_loc[st][lo], n, "teachers", l,
                "Teachers of %s schools teaching in %s schools",
                SN[st], tw_loc_names[lo]);
        }
    }
    for (size_t i = 0; i < w->n_tiers; i++) {
        snprintf(n, sizeof n, "teachers.tier.%zu", i);
        ADD(fm->tier[i], n, "teachers", w->tier_names[i],
            "Teachers in tier %zu (%s) of the training ladder", i,
            w->tier_names[i]);
    }
    snprintf(l, sizeof l, "%s%s", w->tier_names[fm->backbone_tier],
             ZH("及以上", "及以上"));
    ADD(fm->backbone_plus, "teachers.backbone_plus", "teachers", l,
        "Teachers at the backbone tier (%s) or above",
        w->tier_names[fm->backbone_tier]);
    for (int k = 0; k < TW_N_TITLES; k++) {
        snprintf(n, sizeof n, "teachers.title.%s", tw_title_names[k]);
        ADD(fm->title[k], n, "teachers", TITLE_ZH[trad][k], "Teachers holding "
            "the title %s", tw_title_names[k]);
        snprintf(n, sizeof n, "title.%s.share", tw_title_names[k]);
        snprintf(l, sizeof l, "%s %s", TITLE_ZH[trad][k], ZH("比例", "比例"));
        ADD(fm->title_share[k], n, "share", l, "Share of all "
            "teachers holding the title %s", tw_title_names[k]);
    }
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        for (int q = 0; q < TW_N_QUALS; q++) {
            snprintf(n, sizeof n, "qual.%s.%s", SN[st],
                     tw_qual_names[q]);
            snprintf(l, sizeof l, "%s %s", SZ[st], QUAL_ZH[trad][q]);
            ADD(fm->qual[st][q], n, "teachers", l, "Teachers of %s schools "
                "whose highest qualification is %s", SN[st],
                tw_qual_names[q]);
        }
        snprintf(n, sizeof n, "qual.%s.associate_plus.share",
                 SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st],
                 ZH("专科及以上 比例", "專科及以上 比例"));
        ADD(fm->qual_assoc_share[st], n, "share", l, "Share of %s teachers "
            "with 专科 (associate) or above", SN[st]);
        snprintf(n, sizeof n, "qual.%s.bachelor_plus.share",
                 SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st],
                 ZH("本科及以上 比例", "本科及以上 比例"));
        ADD(fm->qual_bach_share[st], n, "share", l, "Share of %s teachers "
            "with 本科 (bachelor) or above", SN[st]);
        snprintf(n, sizeof n, "qual.%s.postgraduate.share",
                 SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st],
                 ZH("研究生 比例", "研究生 比例"));
        ADD(fm->qual_pg_share[st], n, "share", l, "Share of %s teachers "
            "with a postgraduate (研究生) qualification", SN[st]);
    }
    ADD(fm->bianzhi, "teachers.bianzhi", "teachers", ZH("在编教师", "在編教師"),
        "Teachers inside the establishment (在编)");
    ADD(fm->contract, "teachers.contract", "teachers",
        ZH("合同教师", "合同教師"),
        "Teachers on contract (备案制 / 购买服务)");
    ADD(fm->pool, "teachers.pool", "teachers",
        ZH("待岗培训教师", "待崗培訓教師"),
        "Teachers without a post, in the 待岗培训 training pool");
    if (fm->stage_present[TW_STAGE_VOCATIONAL]) {
        ADD(fm->prof, "teachers.vocational.professional", "teachers",
            ZH("专业课教师", "專業課教師"),
            "Vocational teachers of professional courses");
        ADD(fm->dual, "dual.count", "teachers", ZH("双师型教师", "雙師型教師"),
            "Dual-qualified (双师型) vocational teachers");
        ADD(fm->dual_share, "dual.share", "share",
            ZH("双师型 比例", "雙師型 比例"),
            "Share of 双师型 among vocational professional-course teachers");
    }
    for (int b = 0; b < TW_N_AGE_BANDS; b++) {
        snprintf(n, sizeof n, "teachers.age.%s", AGE_NAMES[b]);
        ADD(fm->age[b], n, "teachers", AGE_ZH[trad][b], "Teachers aged %s",
            AGE_NAMES[b]);
    }
    ADD(fm->female_share, "teachers.female.share", "share",
        ZH("女教师 比例", "女教師 比例"),
        "Share of women among teachers");

    /* flows */
    ADD(fm->hires_total, "hires.total", "teachers/year",
        ZH("补充教师", "補充教師"),
        "Teachers hired during the year, all channels");
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++) {
        snprintf(n, sizeof n, "hires.channel.%s", tw_channel_names[c]);
        snprintf(l, sizeof l, "%s %s", CH_ZH[trad][c], ZH("补充", "補充"));
        ADD(fm->hires_ch[c], n, "teachers/year", l,
            "Teachers hired through the %s channel", tw_channel_names[c]);
    }
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        snprintf(n, sizeof n, "hires.stage.%s", SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("补充教师", "補充教師"));
        ADD(fm->hires_stage[st], n, "teachers/year", l,
            "Teachers hired into %s schools", SN[st]);
    }
    ADD(fm->hires_cum, "hires.cumulative", "teachers",
        ZH("累计补充教师", "累計補充教師"),
        "Teachers hired since base_year, up to the end of the year");
    ADD(fm->exits_total, "exits.total", "teachers/year", ZH("减员", "減員"),
        "Teachers who left during the year, all reasons");
    for (int e = 0; e < TW_N_EXITS; e++) {
        snprintf(n, sizeof n, "exits.%s", tw_exit_names[e]);
        snprintf(l, sizeof l, "%s %s", ZH("减员", "減員"), EXIT_ZH[trad][e]);
        ADD(fm->exits_reason[e], n, "teachers/year", l,
            "Teachers who left during the year: %s", tw_exit_names[e]);
    }
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        snprintf(n, sizeof n, "exits.stage.%s", SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("减员", "減員"));
        ADD(fm->exits_stage[st], n, "teachers/year", l,
            "Teachers of %s schools who left during the year",
            SN[st]);
    }
    for (size_t i = 1; i < w->n_tiers; i++) {
        snprintf(n, sizeof n, "promotions.tier.%zu", i);
        snprintf(l, sizeof l, "%s %s", ZH("晋升", "晉升"), w->tier_names[i]);
        ADD(fm->prom_tier[i], n, "teachers/year", l,
            "Promotions into tier %zu (%s)", i, w->tier_names[i]);
    }
    for (int k = 1; k < TW_N_TITLES; k++) {
        snprintf(n, sizeof n, "promotions.title.%s", tw_title_names[k]);
        snprintf(l, sizeof l, "%s %s", ZH("晋升", "晉升"), TITLE_ZH[trad][k]);
        ADD(fm->prom_title[k], n, "teachers/year", l,
            "Promotions into the title %s", tw_title_names[k]);
    }
    /* only in a world where some year demotes (a region without the rule
     * keeps its columns) */
    int demotes = 0;
    for (size_t y = 0; y < w->n_years; y++)
        demotes |= w->params[y].title_on && w->params[y].title_demotion > 0;
    if (demotes)
        ADD(fm->title_demotions, "titles.demotions", "teachers/year",
            ZH("职称降级", "職稱降級"), "Titles taken one step down after a failed review "
            "(降级或解聘)");
    ADD(fm->qual_upgrades, "qual.upgrades", "teachers/year",
        ZH("学历提升", "學歷提升"),
        "Qualification upgrades by in-service study");
    ADD(fm->dual_certs, "dual.certifications", "teachers/year",
        ZH("双师型认定", "雙師型認定"),
        "New 双师型 certifications");
    for (int k = 0; k < 3; k++) {
        snprintf(n, sizeof n, "strikes.%d", k + 1);
        snprintf(l, sizeof l, "末位 第%d次", k + 1);
        ADD(fm->strikes[k], n, "teachers/year", l,
            "末位 strikes number %d given (1: pay, 2: moved, 3: dismissed)",
            k + 1);
    }
    ADD(fm->exch[TW_LOC_URBAN], "exchanges.urban_to_rural", "teachers/year",
        ZH("交流轮岗 城区→乡村", "交流輪崗 城區→鄉村"),
        "Exchange (交流轮岗) moves from urban to rural schools");
    ADD(fm->exch[TW_LOC_TOWN], "exchanges.town_to_rural", "teachers/year",
        ZH("交流轮岗 镇区→乡村", "交流輪崗 鎮區→鄉村"),
        "Exchange (交流轮岗) moves from town to rural schools");
    ADD(fm->exch_returns, "exchanges.returns", "teachers/year",
        ZH("交流轮岗 返回", "交流輪崗 返回"),
        "Exchange teachers back at their home school after the term");
    ADD(fm->transfers, "transfers", "teachers/year", ZH("调动", "調動"),
        "Voluntary transfers between schools of a county");
    ADD(fm->rehire_in, "rehire.in_school", "teachers/year",
        ZH("校内竞聘 留岗", "校內競聘 留崗"),
        "Teachers with a post who kept it in the 校内竞聘 round (counties "
        "with 竞聘 that year)");
    ADD(fm->rehire_cross, "rehire.cross_school", "teachers/year",
        ZH("跨校竞聘 上岗", "跨校競聘 上崗"),
        "Teachers placed in another school in the 跨校竞聘 round");
    ADD(fm->pool_entries, "rehire.pool_entries", "teachers/year",
        ZH("进入待岗培训", "進入待崗培訓"),
        "Teachers entering the 待岗培训 pool");
    ADD(fm->unfilled_total, "posts.unfilled", "posts/year",
        ZH("空缺岗位", "空缺崗位"),
        "Posts offered but left unfilled this year");
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        snprintf(n, sizeof n, "posts.unfilled.%s", SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("空缺岗位", "空缺崗位"));
        ADD(fm->unfilled[st], n, "posts/year", l,
            "Posts of %s schools left unfilled this year",
            SN[st]);
    }

    /* indicators */
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        snprintf(n, sizeof n, "students.%s", SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("学生", "學生"));
        ADD(fm->students[st], n, "students", l,
            "Students in %s schools", SN[st]);
        snprintf(n, sizeof n, "demand.%s", SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("教师需求", "教師需求"));
        ADD(fm->demand[st], n, "teachers", l, "Teachers needed "
            "by the staffing standard in %s schools", SN[st]);
        snprintf(n, sizeof n, "ratio.students_per_teacher.%s",
                 SN[st]);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("生师比", "生師比"));
        ADD(fm->spt[st], n, "students/teacher", l,
            "Students per teacher in %s schools (teachers with a post)",
            SN[st]);
        for (int lo = 0; lo < TW_N_LOCS; lo++) {
            snprintf(n, sizeof n, "gap.%s.%s", SN[st],
                     tw_loc_names[lo]);
            snprintf(l, sizeof l, "%s %s %s", SZ[st], LOC_ZH[trad][lo],
                     ZH("缺口", "缺口"));
            ADD(fm->gap[st][lo], n, "teachers", l, "Staffing gap, demand "
                "minus teachers with a post, in %s %s schools",
                tw_loc_names[lo], SN[st]);
        }
    }
    ADD(fm->gap_total, "gap.total", "teachers", ZH("教师缺口", "教師缺口"),
        "Staffing gap over all schools, demand minus teachers with a post");
    ADD(fm->schools_ok_share, "schools.meeting_standard.share", "share",
        ZH("达标学校 比例", "達標學校 比例"),
        "Share of schools whose teachers with a post reach "
        "their demand (rounded)");
    ADD(fm->backbone_rural_share, "backbone.rural.share", "share",
        ZH("乡村骨干 比例", "鄉村骨幹 比例"),
        "Share of backbone-or-above teachers teaching in "
        "rural schools");
    ADD(fm->est_cap, "establishment.cap", "posts", ZH("核定编制", "核定編制"),
        "Establishment (编制) cap, the sum of the counties' caps");
    ADD(fm->est_used, "establishment.used", "teachers",
        ZH("实有在编", "實有在編"),
        "Teachers inside the establishment, incl. the pool");
    ADD(fm->est_room, "establishment.room", "posts",
        ZH("空编", "空編"),
        "Establishment cap minus teachers inside it (negative: over the "
        "cap)");

    /* by stage: 编制, tiers, titles; hires by locality */
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        const char *sn = SN[st];
        snprintf(n, sizeof n, "establishment.cap.%s", sn);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("核定编制", "核定編制"));
        ADD(fm->est_cap_stage[st], n, "posts", l, "Establishment (编制) "
            "posts of %s schools: their demand under the staffing standard",
            sn);
        snprintf(n, sizeof n, "establishment.used.%s", sn);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("实有在编", "實有在編"));
        ADD(fm->est_used_stage[st], n, "teachers", l, "Teachers of %s "
            "schools inside the establishment, incl. the pool", sn);
        snprintf(n, sizeof n, "establishment.room.%s", sn);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("空编", "空編"));
        ADD(fm->est_room_stage[st], n, "posts", l, "Establishment posts of "
            "%s schools minus their teachers inside it (negative: over)",
            sn);
        snprintf(n, sizeof n, "teachers.bianzhi.%s", sn);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("在编教师", "在編教師"));
        ADD(fm->bianzhi_stage[st], n, "teachers", l, "Teachers of %s "
            "schools inside the establishment (在编)", sn);
        snprintf(n, sizeof n, "teachers.contract.%s", sn);
        snprintf(l, sizeof l, "%s %s", SZ[st], ZH("合同教师", "合同教師"));
        ADD(fm->contract_stage[st], n, "teachers", l, "Teachers of %s "
            "schools on contract", sn);
        for (size_t i = 0; i < w->n_tiers; i++) {
            snprintf(n, sizeof n, "teachers.tier.%zu.%s", i, sn);
            snprintf(l, sizeof l, "%s %s", SZ[st], w->tier_names[i]);
            ADD(fm->tier_stage[st][i], n, "teachers", l,
                "Teachers of %s schools in tier %zu (%s)", sn, i,
                w->tier_names[i]);
        }
        for (int k = 0; k < TW_N_TITLES; k++) {
            snprintf(n, sizeof n, "teachers.title.%s.%s", tw_title_names[k],
                     sn);
            snprintf(l, sizeof l, "%s %s", SZ[st], TITLE_ZH[trad][k]);
            ADD(fm->title_stage[st][k], n, "teachers", l, "Teachers of %s "
                "schools holding the title %s", sn, tw_title_names[k]);
        }
    }
    for (int lo = 0; lo < TW_N_LOCS; lo++) {
        snprintf(n, sizeof n, "hires.locality.%s", tw_loc_names[lo]);
        snprintf(l, sizeof l, "%s %s", LOC_ZH[trad][lo],
                 ZH("补充教师", "補充教師"));
        ADD(fm->hires_loc[lo], n, "teachers/year", l,
            "Teachers hired into %s schools, all channels", tw_loc_names[lo]);
    }
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++)
        for (int lo = 0; lo < TW_N_LOCS; lo++) {
            snprintf(n, sizeof n, "hires.channel.%s.%s", tw_channel_names[c],
                     tw_loc_names[lo]);
            snprintf(l, sizeof l, "%s %s %s", LOC_ZH[trad][lo], CH_ZH[trad][c],
                     ZH("补充", "補充"));
            ADD(fm->hires_ch_loc[c][lo], n, "teachers/year", l,
                "Teachers hired through the %s channel into %s schools",
                tw_channel_names[c], tw_loc_names[lo]);
        }

    /* training pipelines (programme_years), channels that have one */
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++) {
        if (!pipe_in_world(w, c))
            continue;
        const char *cn = tw_channel_names[c];
        snprintf(n, sizeof n, "pipeline.students.%s", cn);
        snprintf(l, sizeof l, "%s %s", CH_ZH[trad][c], ZH("在读", "在讀"));
        ADD(fm->pipe_students[c], n, "students", l, "Students in the %s "
            "channel's programme at the end of the year (not teachers)", cn);
        snprintf(n, sizeof n, "pipeline.graduates.%s", cn);
        snprintf(l, sizeof l, "%s %s", CH_ZH[trad][c], ZH("毕业", "畢業"));
        ADD(fm->pipe_grads[c], n, "students/year", l, "Students who "
            "graduated from the %s channel's programme during the year", cn);
        snprintf(n, sizeof n, "pipeline.placed.%s", cn);
        snprintf(l, sizeof l, "%s %s", CH_ZH[trad][c],
                 ZH("毕业入职", "畢業入職"));
        ADD(fm->pipe_placed[c], n, "teachers/year", l, "Graduates of the %s "
            "channel's programme hired during the year (the rest found no "
            "post or room)", cn);
    }
    /* closures (撤并): columns of their own only when the config lists
     * some, so that a region without them keeps its table */
    if (w->n_closures > 0) {
        for (int st = 0; st < TW_N_STAGES; st++) {
            if (!fm->stage_present[st])
                continue;
            snprintf(n, sizeof n, "schools.open.%s", tw_stage_names[st]);
            snprintf(l, sizeof l, "%s %s", STAGE_ZH[trad][st],
                     ZH("在办学校", "在辦學校"));
            ADD(fm->schools_open[st], n, "schools", l, "Open %s "
                "schools at the end of the year (not closed by a 撤并)",
                tw_stage_names[st]);
        }
        ADD(fm->closures, "closures.schools", "schools/year",
            ZH("撤并学校", "撤併學校"),
            "Schools closed (撤并) this year, their students and teachers "
            "moved to a receiving school");
        ADD(fm->close_moved, "closures.teachers_moved", "teachers/year",
            ZH("撤并 调入教师", "撤併 調入教師"),
            "Teachers whose home or school closed this year, "
            "moved to the receiving school");
    }
    /* subjects: columns of their own only when the config has some */
    for (size_t j = 0; j < w->n_subjects; j++) {
        const char *sn = w->subject_names[j];
        snprintf(n, sizeof n, "teachers.subject.%s", sn);
        snprintf(l, sizeof l, "%s %s", sn, ZH("教师", "教師"));
        ADD(fm->subj_teachers[j], n, "teachers", l, "Teachers of subject "
            "%s at the end of the year (pool included, by the home school's "
            "county)", sn);
        snprintf(n, sizeof n, "shortage.subject.%s", sn);
        snprintf(l, sizeof l, "%s %s", sn, ZH("教师缺口", "教師缺口"));
        ADD(fm->subj_short[j], n, "teachers", l, "Sum over open schools of "
            "max(0, round(demand x the stage's %s share) - its %s teachers "
            "there)", sn, sn);
        snprintf(n, sizeof n, "schools.without.%s", sn);
        snprintf(l, sizeof l, "%s %s", sn, ZH("无教师学校", "無教師學校"));
        ADD(fm->subj_without[j], n, "schools", l, "Open schools whose "
            "demand has a positive %s share and which have no %s teacher",
            sn, sn);
    }
    /* 转岗: only in a world where some year and county retrains (a config
     * without subjects.retrain keeps its columns) */
    int retrains = 0;
    for (size_t y = 0; w->n_subjects > 0 && y < w->n_years; y++)
        for (size_t c = 0; c < w->n_counties; c++)
            retrains |= tw_world_cparams(w, y, c)->retrain_prob > 0.0;
    if (retrains)
        ADD(fm->subj_retrained, "subjects.retrained", "teachers/year", "转岗",
            "Teachers retrained (转岗) from a subject over its demand at "
            "their school into its most short subject");
    if (w->n_subjects > 0 && w->subject_load_mask != 0)
        ADD(fm->demand_load, "demand.teaching_load", "teachers", "按课时",
            "Subject demand of the open schools: classes x weekly periods "
            "/ load on stages with subjects.periods, .load and "
            ".class_size, the ratio demand elsewhere");
    return TW_OK;
}

#undef ADD

/* row[col] = v, for a metric that may be absent. */
static inline void put(double *row, size_t col, double v)
{
    if (col != TW_NO_METRIC)
        row[col] = v;
}

static double share(double a, double b)
{
    return b > 0 ? a / b : 0.0;
}

/* The value of slot sl of a by-stage quantity v[st * stride]: a stage's
 * own, or the sum over a group's stages. */
static inline double slot(const tw_fm *fm, int sl, const double *v,
                          size_t stride)
{
    if (sl < TW_N_STAGES)
        return v[(size_t)sl * stride];
    double x = 0;
    for (int st = 0; st < TW_N_STAGES; st++)
        if (fm->slot_mask[sl] >> st & 1)
            x += v[(size_t)st * stride];
    return x;
}

double tw_fm_put_stock(const tw_fm *fm, const tw_world *w,
                       const tw_fm_stock *k, double *row)
{
    double total = 0;
    for (int st = 0; st < TW_N_STAGES; st++)
        total += k->stage[st];
    put(row, fm->total, total);
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        double n = slot(fm, st, k->stage, 1), q[TW_N_QUALS];
        put(row, fm->stage[st], n);
        for (int lo = 0; lo < TW_N_LOCS; lo++)
            put(row, fm->stage_loc[st][lo],
                slot(fm, st, &k->sloc[0][lo], TW_N_LOCS));
        for (int j = 0; j < TW_N_QUALS; j++) {
            q[j] = slot(fm, st, &k->qual[0][j], TW_N_QUALS);
            put(row, fm->qual[st][j], q[j]);
        }
        put(row, fm->qual_assoc_share[st],
            share(n - q[TW_QUAL_SECONDARY], n));
        put(row, fm->qual_bach_share[st],
            share(q[TW_QUAL_BACHELOR] + q[TW_QUAL_POSTGRAD], n));
        put(row, fm->qual_pg_share[st], share(q[TW_QUAL_POSTGRAD], n));
    }
    for (size_t i = 0; i < w->n_tiers; i++)
        put(row, fm->tier[i], k->tier[i]);
    put(row, fm->backbone_plus, k->backbone);
    for (int j = 0; j < TW_N_TITLES; j++) {
        put(row, fm->title[j], k->title[j]);
        put(row, fm->title_share[j], share(k->title[j], total));
    }
    put(row, fm->bianzhi, k->bianzhi);
    put(row, fm->contract, total - k->bianzhi);
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        double bz = slot(fm, st, k->bianzhi_st, 1);
        put(row, fm->bianzhi_stage[st], bz);
        put(row, fm->contract_stage[st], slot(fm, st, k->stage, 1) - bz);
        put(row, fm->est_used_stage[st], bz);
        for (size_t i = 0; i < w->n_tiers; i++)
            put(row, fm->tier_stage[st][i],
                slot(fm, st, &k->tier_st[0][i], TW_WORLD_MAX_TIERS));
        for (int j = 0; j < TW_N_TITLES; j++)
            put(row, fm->title_stage[st][j],
                slot(fm, st, &k->title_st[0][j], TW_N_TITLES));
    }
    put(row, fm->pool, k->pool);
    put(row, fm->prof, k->prof);
    put(row, fm->dual, k->dual);
    put(row, fm->dual_share, share(k->dual, k->prof));
    for (int b = 0; b < TW_N_AGE_BANDS; b++)
        put(row, fm->age[b], k->age[b]);
    put(row, fm->female_share, share(k->female, total));
    return total;
}

void tw_fm_put_flows(const tw_fm *fm, const tw_world *w, const tw_flows *f,
                     double *row, double *hires_cum)
{
    double hires = 0, exits = 0, unfilled = 0;
    double hst[TW_N_STAGES] = {0}, est[TW_N_STAGES] = {0};
    double hloc[TW_N_LOCS] = {0};
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++)
        for (int lo = 0; lo < TW_N_LOCS; lo++) {
            put(row, fm->hires_ch_loc[c][lo], f->hires_loc[c][lo]);
            hloc[lo] += f->hires_loc[c][lo];
        }
    for (int lo = 0; lo < TW_N_LOCS; lo++)
        put(row, fm->hires_loc[lo], hloc[lo]);
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++) {
        double hc = 0;
        for (int st = 0; st < TW_N_STAGES; st++) {
            hc += f->hires[c][st];
            hst[st] += f->hires[c][st];
        }
        put(row, fm->hires_ch[c], hc);
        hires += hc;
    }
    for (int e = 0; e < TW_N_EXITS; e++) {
        double ec = 0;
        for (int st = 0; st < TW_N_STAGES; st++) {
            ec += f->exits[e][st];
            est[st] += f->exits[e][st];
        }
        put(row, fm->exits_reason[e], ec);
        exits += ec;
    }
    for (int st = 0; st < TW_N_STAGES; st++)
        unfilled += f->unfilled[st];
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        put(row, fm->hires_stage[st], slot(fm, st, hst, 1));
        put(row, fm->exits_stage[st], slot(fm, st, est, 1));
        put(row, fm->unfilled[st], slot(fm, st, f->unfilled, 1));
    }
    *hires_cum += hires;
    put(row, fm->hires_total, hires);
    put(row, fm->hires_cum, *hires_cum);
    put(row, fm->exits_total, exits);
    for (size_t i = 1; i < w->n_tiers; i++)
        put(row, fm->prom_tier[i], f->tier_promotions[i]);
    for (int k = 1; k < TW_N_TITLES; k++)
        put(row, fm->prom_title[k], f->title_promotions[k]);
    put(row, fm->title_demotions, f->title_demotions);
    put(row, fm->subj_retrained, f->retrained);
    put(row, fm->qual_upgrades, f->qual_upgrades);
    put(row, fm->dual_certs, f->dual_certs);
    for (int k = 0; k < 3; k++)
        put(row, fm->strikes[k], f->strikes[k]);
    put(row, fm->exch[TW_LOC_URBAN], f->exchanges[TW_LOC_URBAN]);
    put(row, fm->exch[TW_LOC_TOWN], f->exchanges[TW_LOC_TOWN]);
    put(row, fm->exch_returns, f->exchange_returns);
    put(row, fm->transfers, f->transfers);
    put(row, fm->rehire_in, f->rehire_placed_in);
    put(row, fm->rehire_cross, f->rehire_placed_cross);
    put(row, fm->pool_entries, f->pool_entries);
    put(row, fm->unfilled_total, unfilled);
    double cl = 0;
    for (int st = 0; st < TW_N_STAGES; st++)
        cl += f->closures[st];
    put(row, fm->closures, cl);
    put(row, fm->close_moved, f->close_moved);
    for (int c = 0; c < TW_N_HIRE_CHANNELS; c++) {
        put(row, fm->pipe_grads[c], f->graduates[c]);
        put(row, fm->pipe_placed[c], f->placed[c]);
    }
}

void tw_fm_put_students(const tw_fm *fm, const tw_world *w, size_t t,
                        long c, double *row)
{
    for (int ch = 0; ch < TW_N_HIRE_CHANNELS; ch++) {
        if (fm->pipe_students[ch] == TW_NO_METRIC)
            continue;
        double n = 0;
        for (size_t k = 0; k < w->n_counties; k++)
            if (c < 0 || (size_t)c == k)
                n += pipe_students(w, (long)t, k, ch);
        row[fm->pipe_students[ch]] = n;
    }
}

/* The stock counts of tally y. */
static void stock_of(const tw_fm *fm, const tw_tally *y, tw_fm_stock *k)
{
    memset(k, 0, sizeof *k);
    for (int st = 0; st < TW_N_STAGES; st++)
        for (int lo = 0; lo < TW_N_LOCS; lo++)
            for (int q = 0; q < TW_N_QUALS; q++)
                for (int p = 0; p < 2; p++) {
                    double v = y->sq[st][lo][q][p];
                    k->stage[st] += v;
                    k->sloc[st][lo] += v;
                    k->qual[st][q] += v;
                    if (p)
                        k->pool += v;
                    else
                        k->posted[st] += v;
                }
    for (int st = 0; st < TW_N_STAGES; st++) {
        for (int i = 0; i < TW_WORLD_MAX_TIERS; i++) {
            double v = (double)y->tier[st][i][0] + y->tier[st][i][1];
            k->tier_st[st][i] = v;
            k->tier[i] += v;
            if (i >= fm->backbone_tier) {
                k->backbone += v;
                k->backbone_rural += y->tier[st][i][1];
            }
        }
        for (int j = 0; j < TW_N_TITLES; j++) {
            k->title_st[st][j] = y->title[st][j];
            k->title[j] += y->title[st][j];
        }
        for (int f = 0; f < TW_N_TALLY_FLAGS; f++) {
            double v = y->flags[st][f];
            k->bianzhi_st[st] += (f & TW_TF_BIANZHI) ? v : 0;
            k->female += (f & TW_TF_FEMALE) ? v : 0;
            k->prof += (f & TW_TF_PROF) ? v : 0;
            k->dual += (f & TW_TF_DUAL) ? v : 0;
        }
        k->bianzhi += k->bianzhi_st[st];
    }
    for (int b = 0; b < TW_N_AGE_BANDS; b++)
        k->age[b] = y->age[b];
}

void tw_fm_put_schools(const tw_fm *fm, const tw_fm_schools *sc,
                       const tw_fm_stock *k, double *row)
{
    for (int st = 0; st < TW_FM_SLOTS; st++) {
        if (!fm->stage_present[st])
            continue;
        double students = slot(fm, st, sc->students, 1);
        double demand = slot(fm, st, sc->demand, 1);
        put(row, fm->students[st], students);
        put(row, fm->demand[st], demand);
        put(row, fm->spt[st], share(students, slot(fm, st, k->posted, 1)));
        for (int lo = 0; lo < TW_N_LOCS; lo++)
            put(row, fm->gap[st][lo],
                slot(fm, st, &sc->gap[0][lo], TW_N_LOCS));
        put(row, fm->est_cap_stage[st], demand);
        put(row, fm->est_room_stage[st],
            demand - slot(fm, st, k->bianzhi_st, 1));
    }
    put(row, fm->gap_total, sc->gap_total);
    put(row, fm->schools_ok_share, share(sc->ok, sc->n));
    put(row, fm->backbone_rural_share, share(k->backbone_rural, k->backbone));
    put(row, fm->est_cap, sc->cap);
    put(row, fm->est_used, k->bianzhi);
    put(row, fm->est_room, sc->cap - k->bianzhi);
    for (int st = 0; st < TW_N_STAGES; st++)
        put(row, fm->schools_open[st], sc->open[st]);
}

/* The sums of schools [a, b) of the replicate s. */
static void schools_of(const tw_sim *s, size_t a, size_t b,
                       tw_fm_schools *sc)
{
    const tw_school *sch = s->w->schools;
    memset(sc, 0, sizeof *sc);
    for (size_t i = a; i < b; i++) {
        const tw_school_state *ss = &s->S[i];
        int st = sch[i].stage;
        if (!tw_sim_open(s, i))
            continue; /* no students, demand or teachers: not a school */
        sc->open[st]++;
        sc->n++;
        sc->students[st] += ss->students;
        sc->demand[st] += ss->demand;
        double g = ss->demand - (double)ss->headcount;
        sc->gap[st][sch[i].locality] += g;
        sc->gap_total += g;
        sc->ok += (double)ss->headcount >= floor(ss->demand + 0.5);
    }
}

/* The subject metrics of schools [a, b) (county c's, or every county's
 * when c < 0) from s->subj_n and s->subj_c (tw_subject_count) and the
 * demand by subject s->subj_d (tw_subject_fill_demand). */
static void put_subjects(const tw_fm *fm, const tw_sim *s, size_t a,
                         size_t b, long c, double *row)
{
    const tw_world *w = s->w;
    size_t nj = w->n_subjects;
    double short_[TW_MAX_SUBJECTS] = {0}, without[TW_MAX_SUBJECTS] = {0};
    double load = 0.0;
    for (size_t i = a; i < b; i++) {
        if (!tw_sim_open(s, i))
            continue;
        const uint32_t *cnt = s->subj_n + i * TW_MAX_SUBJECTS;
        const double *dem = s->subj_d + i * TW_MAX_SUBJECTS;
        for (size_t j = 0; j < nj; j++) {
            double ds = dem[j];
            load += ds;
            double g = floor(ds + 0.5) - (double)cnt[j];
            if (g > 0)
                short_[j] += g;
            without[j] += ds > 0.0 && cnt[j] == 0;
        }
    }
    for (size_t j = 0; j < nj; j++) {
        double v = 0.0;
        for (size_t k = 0; k < w->n_counties; k++)
            if (c < 0 || (size_t)c == k)
                v += s->subj_c[k * TW_MAX_SUBJECTS + j];
        put(row, fm->subj_teachers[j], v);
        put(row, fm->subj_short[j], short_[j]);
        put(row, fm->subj_without[j], without[j]);
    }
    put(row, fm->demand_load, load);
}

void tw_fm_record(const tw_fm *fm, const tw_sim *s, double *row,
                  double *hires_cum)
{
    const tw_world *w = s->w;
    tw_fm_stock k;
    tw_fm_schools sc;
    stock_of(fm, &s->tally, &k);
    tw_fm_put_stock(fm, w, &k, row);
    tw_fm_put_flows(fm, w, &s->f, row, hires_cum);
    schools_of(s, 0, w->n_schools, &sc);
    for (size_t c = 0; c < w->n_counties; c++)
        sc.cap += s->county_cap[c];
    tw_fm_put_schools(fm, &sc, &k, row);
    tw_fm_put_students(fm, w, s->t, -1, row);
    if (s->subj_n != NULL) {
        tw_subject_count(s);
        tw_subject_fill_demand(s);
        put_subjects(fm, s, 0, w->n_schools, -1, row);
    }
}

/* The schools are sorted by county index (config_full.c), so county c's
 * are one run [a, b). */
void tw_fm_record_counties(const tw_fm *fm, const tw_sim *s, double *rows,
                           size_t stride, double *hires_cum)
{
    const tw_world *w = s->w;
    tw_fm_stock k;
    tw_fm_schools sc;
    size_t b = 0;
    for (size_t c = 0; c < w->n_counties; c++) {
        double *row = rows + c * stride;
        size_t a = b;
        while (b < w->n_schools && w->schools[b].county == c)
            b++;
        stock_of(fm, &s->ctally[c], &k);
        tw_fm_put_stock(fm, w, &k, row);
        tw_fm_put_flows(fm, w, &s->cf[c], row, &hires_cum[c]);
        schools_of(s, a, b, &sc);
        sc.cap = s->county_cap[c];
        tw_fm_put_schools(fm, &sc, &k, row);
        tw_fm_put_students(fm, w, s->t, (long)c, row);
        if (s->subj_n != NULL) /* counted by tw_fm_record */
            put_subjects(fm, s, a, b, (long)c, row);
    }
}
