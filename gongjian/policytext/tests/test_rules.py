"""Each target-vs-fact rule, units and text normalisation on sentences written for these tests
(not taken from the evaluation corpus)."""

from __future__ import annotations

import pytest

from gongjian.policytext.extract import extract, normalize_text


def _items(text: str, year: int = 2022) -> tuple[list[tuple], list[tuple]]:
    found = extract(text, year=year)
    targets = [
        (t.metric, t.comparator, t.normalized_value, t.normalized_unit, t.period_end)
        for t in found.targets
    ]
    facts = [(f.metric, f.kind, f.normalized_value, f.normalized_unit) for f in found.facts]
    return targets, facts


def test_a_bare_estimate_governs_the_rest_of_the_sentence():
    assert _items("初步预计，全年地区生产总值增长6%以上；规上工业增加值增长8%。") == (
        [],
        [
            ("地区生产总值增长", "projection", "6", "%"),
            ("规上工业增加值增长", "projection", "8", "%"),
        ],
    )


def test_an_estimate_with_its_own_figure_ends_at_the_semicolon():
    text = "2021年完成投资120亿元，预计年均增长5%；2022年完成投资150亿元。"
    assert _items(text, 2023)[1] == [
        ("完成投资", "achieved", "12000000000", "元"),
        ("年均增长", "projection", "5", "%"),
        ("完成投资", "achieved", "15000000000", "元"),
    ]


def test_a_review_of_last_year_is_achieved_even_with_target_words():
    assert _items("2021年，全区地区生产总值达到300亿元，全年增长8%以上。") == (
        [],
        [("地区生产总值", "achieved", "30000000000", "元"), ("增长", "achieved", "8", "%")],
    )


def test_a_paragraph_about_the_past_year_carries_to_its_next_sentence():
    assert _items("过去一年，我们攻坚克难。全年完成投资200亿元以上。") == (
        [],
        [("完成投资", "achieved", "20000000000", "元")],
    )


def test_a_strong_hedge_makes_a_target_beside_a_result():
    assert _items("去年完成投资200亿元，今年力争完成投资220亿元以上。") == (
        [("完成投资", ">=", "22000000000", "元", "2022-12-31")],
        [("完成投资", "achieved", "20000000000", "元")],
    )


def test_progress_shares_and_gaps_are_results():
    assert _items("1-6月完成投资60亿元，占年度计划的52%，超序时进度2个百分点。") == (
        [],
        [
            ("完成投资", "achieved", "6000000000", "元"),
            ("占年度计划", "achieved", "52", "%"),
            ("超序时进度", "achieved", "2", "个百分点"),
        ],
    )


def test_a_quoted_task_number_is_the_target_and_the_share_names_the_task():
    assert _items("1-9月到位资金80亿元，完成年度目标任务100亿元的80%。") == (
        [("到位资金", ">=", "10000000000", "元", "2022-12-31")],
        [("到位资金", "achieved", "8000000000", "元"), ("完成年度目标任务", "achieved", "80", "%")],
    )


def test_a_plan_roster_is_facts_and_its_yearly_plan_a_target():
    assert _items("今年共安排重点项目120个，总投资900亿元，年度计划投资260亿元。") == (
        [("年度计划投资", ">=", "26000000000", "元", "2022-12-31")],
        [("重点项目", "baseline", "120", "count"), ("总投资", "baseline", "90000000000", "元")],
    )


def test_a_plan_list_without_a_cue_word_is_targets():
    assert _items("今年新开工项目50个，新建成项目30个。") == (
        [
            ("新开工项目", ">=", "50", "count", "2022-12-31"),
            ("新建成项目", ">=", "30", "count", "2022-12-31"),
        ],
        [],
    )


def test_number_first_plan_items_take_the_noun_and_a_class_is_no_figure():
    assert _items("到2025年，培育专精特新企业100家，打造3个千亿级产业集群。", 2023) == (
        [
            ("专精特新企业", ">=", "100", "count", "2025-12-31"),
            ("千亿级产业集群", ">=", "3", "count", "2025-12-31"),
        ],
        [],
    )


def test_one_projects_size_is_a_fact():
    assert _items("今年将引进总投资30亿元的新能源电池项目。") == (
        [],
        [("引进总投资", "baseline", "3000000000", "元")],
    )


def test_respectively_gives_each_subject_its_figure():
    assert _items("2021年高技术制造业、装备制造业增加值分别增长9%、8%。")[1] == [
        ("高技术制造业增加值增长", "achieved", "9", "%"),
        ("装备制造业增加值增长", "achieved", "8", "%"),
    ]


def test_a_revision_of_a_target_is_not_an_item_and_negative_growth_keeps_its_sign():
    assert _items("力争固定资产投资增长12%以上（调增2个百分点）。")[0] == [
        ("固定资产投资增长", ">=", "12", "%", "2022-12-31")
    ]
    assert _items("1-6月出口增长-3.5%。")[1] == [("出口增长", "achieved", "-3.5", "%")]


def test_a_projection_after_completion_is_a_fact_of_kind_projection():
    assert _items("项目建成后预计年产值50亿元。")[1] == [
        ("项目建成后年产值", "projection", "5000000000", "元")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今年新增就业1.2万人以上。", ("新增就业", ">=", "12000", "人", "2022-12-31")),
        ("今年失业率降低0.5个百分点。", ("失业率降低", ">=", "0.5", "个百分点", "2022-12-31")),
        ("全年发电量达到120亿千瓦时。", ("发电量", ">=", "12000000000", "千瓦时", "2022-12-31")),
        ("今年人口自然增长率控制在5‰以内。", ("人口自然增长率", "<=", "5", "‰", "2022-12-31")),
        ("今年人均产值达到12万元/人。", ("人均产值", ">=", "120000", "元/人", "2022-12-31")),
        ("今年亩均税收达到30万元/亩。", ("亩均税收", ">=", "300000", "元/亩", "2022-12-31")),
        ("今年新建道路12公里。", ("新建道路", ">=", "12", "公里", "2022-12-31")),
        ("今年审批时限压缩至5天以内。", ("审批时限", "<=", "5", "天", "2022-12-31")),
    ],
)
def test_units(text, expected):
    assert _items(text)[0] == [expected]


def test_traditional_characters_full_width_digits_and_pdf_spaces_read_as_the_original():
    text = "今年力爭完成投資２７ 億元以上，增長 28. 1%。"
    assert normalize_text(text) == "今年力争完成投资27亿元以上，增长28.1%。"
    assert _items(text)[0] == [
        ("完成投资", ">=", "2700000000", "元", "2022-12-31"),
        ("增长", ">=", "28.1", "%", "2022-12-31"),
    ]


def test_a_stock_to_date_and_projects_under_way_are_baselines():
    assert _items("截止到目前，全市纳入目录的开发区48家。") == (
        [],
        [("纳入目录的开发区", "baseline", "48", "count")],
    )
    assert _items("下半年，力争加快30个在建项目的建设进度。")[1] == [
        ("加快在建项目", "baseline", "30", "count")
    ]
    assert _items("目前已开工206项，完成年度计划开工的80.8%。")[1][1] == (
        "完成年度计划开工",
        "achieved",
        "80.8",
        "%",
    )


# 招商 and park reports: results worded with comparator words are facts; only a hedge or a
# plan cue makes a target.


def test_a_class_of_enterprises_is_no_comparator():
    # 规模以上 names a class; the sentence reports what was done (1-9月).
    assert _items("1-9月，园区30户规模以上工业企业实现产值45亿元，增长12%。") == (
        [],
        [
            ("规模以上工业企业", "baseline", "30", "count"),
            ("规模以上工业企业实现产值", "achieved", "4500000000", "元"),
            ("增长", "achieved", "12", "%"),
        ],
    )


def test_a_comparator_word_alone_states_what_is():
    # 超过, 达 and 以上 without 力争/计划/今年 … describe the park, they set nothing.
    assert _items("园区规划面积6.5平方公里，入驻企业超过120家，年产值达80亿元以上。") == (
        [],
        [
            ("园区规划面积", "baseline", "6500000", "平方米"),
            ("入驻企业", "baseline", "120", "count"),
            ("年产值", "achieved", "8000000000", "元"),
        ],
    )


def test_a_plan_cue_or_a_deadline_still_makes_a_target():
    assert _items("今年园区入驻企业超过150家。")[0] == [
        ("园区入驻企业", ">", "150", "count", "2022-12-31")
    ]
    assert _items("园区产值增长10%左右。")[0] == [("园区产值增长", "=", "10", "%", "2022-12-31")]
    # a deadline of an earlier sentence carries: the list under 到2025年 is a plan
    assert _items("到2025年，园区发展目标如下。规上工业产值突破500亿元。")[0] == [
        ("规上工业产值", ">", "50000000000", "元", "2025-12-31")
    ]


def test_in_a_result_sentence_only_a_plan_cue_turns_a_clause_into_a_target():
    text = "上半年签约项目12个，总投资36亿元，已落地8个，开工率达到66.7%，年内力争再签约10个。"
    assert _items(text) == (
        [("再签约", ">=", "10", "count", "2022-12-31")],
        [
            ("签约项目", "achieved", "12", "count"),
            ("总投资", "achieved", "3600000000", "元"),
            ("落地", "achieved", "8", "count"),
            ("开工率", "achieved", "66.7", "%"),
        ],
    )


def test_a_parks_enterprises_are_a_stock_new_ones_are_achieved():
    text = "截至6月底，园区入园企业达到420家，其中规上企业65家；上半年新增入园企业18家。"
    assert _items(text)[1] == [
        ("园区入园企业", "baseline", "420", "count"),
        ("规上企业", "baseline", "65", "count"),
        ("新增入园企业", "achieved", "18", "count"),
    ]
    assert _items("开发区共有高新技术企业52家。")[1] == [
        ("高新技术企业", "baseline", "52", "count")
    ]


def test_one_projects_size_is_a_baseline():
    assert _items("智能装备产业园一期项目开工建设，该项目总投资12亿元。")[1] == [
        ("该项目总投资", "baseline", "1200000000", "元")
    ]


def test_a_share_written_right_after_the_task_is_progress():
    assert _items("截至5月底，到位资金4.2亿元，完成目标任务 35. 6%。") == (
        [],
        [("到位资金", "achieved", "420000000", "元"), ("完成目标任务", "achieved", "35.6", "%")],
    )


def test_a_small_percent_sign_reads_as_percent():
    assert normalize_text("履约率90﹪") == "履约率90%"
    assert _items("签约项目履约率90﹪。")[1] == [("签约项目履约率", "achieved", "90", "%")]


def test_main_is_no_plan_word():
    # 要 inside 主要/重要 is no plan cue.
    assert _items("该园区主要发展电子信息产业，现有企业46家。") == (
        [],
        [("企业", "baseline", "46", "count")],
    )


def test_projects_due_to_start_are_a_class_after_a_count_and_a_plan_before_one():
    text = "截至9月底，12个计划投产项目已投产9个。"
    assert _items(text)[0] == []
    assert _items("今年计划新开工项目80项，目前已开工52项。")[0] == [
        ("新开工项目", ">=", "80", "count", "2022-12-31")
    ]
