"""Read a Chinese campaign document and propose its targets and baseline facts.

Pure Python and deterministic: rules over sentences and clauses, no model, no network. A
sentence is cut at 。！？ and line breaks; a clause at ，、；： and brackets. Each figure in a
clause (1700亿元, 一千七百亿, 百分之八, 29.81%, 翻一番, 6%-7%) becomes a target or a fact
depending on the cue words around it (力争, 以上, 全年, 明年 … make targets; 目前, 已, 累计, a
past date … make facts); the cue carries over to the following clauses of the same sentence.
The metric is the noun phrase before the figure (or after it: 741个项目), stripped of time, place
and cue words. Numbers are parsed and normalised by ``gongjian.core.money`` (the one parser).

See docs/extraction.md for the rules, the evaluation and what it still gets wrong.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from gongjian.core.money import (
    MONEY_YUAN,
    Measure,
    QuantityError,
    decimal_text,
    normalize_measure,
    parse_chinese_numeral,
)

GTE, GT, EQ, LTE, LT = ">=", ">", "=", "<=", "<"
FACT_KINDS = ("baseline", "achieved", "projection")
COMPARATORS = (GTE, GT, EQ, LTE, LT)

# ---------------------------------------------------------------------------------------------
# Places. The Quanzhou units by the names a document uses (long forms first); any other
# "全省/全国" level is recognised by its words. A caller may pass more names.

QUANZHOU_PLACES: dict[str, str] = {
    "泉州台商投资区": "台商投资区",
    "台商投资区": "台商投资区",
    "泉州经济技术开发区": "泉州经济技术开发区",
    "泉州经开区": "泉州经济技术开发区",
    "经济技术开发区": "泉州经济技术开发区",
    "鲤城区": "鲤城区",
    "丰泽区": "丰泽区",
    "洛江区": "洛江区",
    "泉港区": "泉港区",
    "惠安县": "惠安县",
    "安溪县": "安溪县",
    "永春县": "永春县",
    "德化县": "德化县",
    "石狮市": "石狮市",
    "晋江市": "晋江市",
    "南安市": "南安市",
    "鲤城": "鲤城区",
    "丰泽": "丰泽区",
    "洛江": "洛江区",
    "泉港": "泉港区",
    "惠安": "惠安县",
    "安溪": "安溪县",
    "永春": "永春县",
    "德化": "德化县",
    "石狮": "石狮市",
    "晋江": "晋江市",
    "南安": "南安市",
}
CITY_SCOPE = "全市"
_WIDER_SCOPES = (("全国", "全国"), ("国内生产总值", "全国"), ("全省", "全省"), ("我省", "全省"))

# ---------------------------------------------------------------------------------------------
# Figures

_AR = r"\d+(?:[,，]\d{3})*(?:\.\d+)?"
_CN = r"[零〇一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿点]*"
_MAG = r"(?:万亿|千万|百万|亿|万|千)?"
_BASE_UNIT = (
    r"(?:美元|港元|欧元|元|平方公里|平方千米|平方米|平米|公顷|亩|%|％|‰|个百分点|倍|人次|个|家|项|宗|"
    r"座|所|户|名|套|台|辆|条|件|处|栋|幢|场|间|吨|公里|千米|千瓦时|千瓦|度|斤|立方米|标箱|人|次|批|天)"
)
# A compound unit keeps its denominator: 万元/人, 元/亩, 台/万人.
_UNIT = rf"(?:{_BASE_UNIT}/(?:万)?(?:人|亩|平方米|户|吨)|{_BASE_UNIT})"
_APPROX = r"(?:余|多)?"
_NUMBER = rf"(?:{_AR}|{_CN})"
# 1700亿元 · 一千七百亿 · 300余亩 · 6%-7% · 300至500亿元 · 百分之八 · 翻一番
_FIGURE = re.compile(
    rf"(?P<percent_words>百分之(?P<pw>{_NUMBER}))"
    rf"|(?P<double>翻(?P<times>[一两二三四\d])番)"
    rf"|(?:(?P<low>{_NUMBER})(?P<low_unit>{_MAG}{_UNIT})?\s*[-—–~～至到]\s*)?"
    rf"(?P<number>{_NUMBER}){_APPROX}(?P<unit>{_MAG}{_UNIT}|万亿|亿|万(?!人|元))"
)
# A money threshold that names a class of projects: 20亿元以上项目 · 亿元以上项目.
_FILTER = re.compile(
    rf"(?P<pre>超|上)?(?P<number>{_AR}|{_CN})?(?P<unit>万亿元|亿元|万元)(?P<word>以上|以下)?(?:的)?"
    r"(?P<noun>[^，、；。0-9]{0,8}?(?:项目|企业|集群))"
)
_AFTER_WORDS = (("以上", GTE), ("以内", LTE), ("以下", LTE), ("左右", EQ))
_BEFORE_WORDS = (
    ("不低于", GTE),
    ("不少于", GTE),
    ("不小于", GTE),
    ("不超过", LTE),
    ("不高于", LTE),
    ("不多于", LTE),
    ("不大于", LTE),
    ("控制在", LTE),
    ("力争达到", GTE),
    ("达到", GTE),
    ("提升至", GTE),
    ("提升到", GTE),
    ("提高至", GTE),
    ("提高到", GTE),
    ("增加到", GTE),
    ("增加至", GTE),
    ("增至", GTE),
    ("至少", GTE),
    ("保持在", GTE),
    ("稳定在", GTE),
    ("超过", GT),
    ("突破", GT),
    ("高于", GT),
    ("大于", GT),
    ("多于", GT),
    ("超", GT),
    ("低于", LT),
    ("少于", LT),
    ("小于", LT),
    ("降至", LTE),
    ("压缩至", LTE),
    ("压缩到", LTE),
    ("压减至", LTE),
    ("降到", LTE),
    ("下降到", LTE),
    ("达", GTE),
)
MONEY_WORDS = re.compile(
    r"投资|资金|产值|生产总值|GDP|收入|额|金额|总量|营收|税|利润|财政|规模|消费品"
)

# ---------------------------------------------------------------------------------------------
# Cues. Targets: what is to be done; facts: what is (baseline) or has been done (achieved).

_TARGET_CUES = re.compile(
    r"力争|争取|确保|目标|以上|不低于|不少于|不超过|以内|左右|突破|超过|提升至|提高到|提高至|达到|全年|"
    r"今年|明年|年内|到20\d\d年|\d{4}年前|[一二两三四五十\d]年内|计划|预期|(?<![主重需只必])要|将|"
    r"保持在|控制在|增至|提升到"
)
# The cues that say something is to be done (a hedge or a plan), as opposed to the comparator
# words (以上, 超过, 达到 …) that a report of results uses as well.
_PLAN_CUES = re.compile(
    r"力争|争取|确保|目标|全年|今年|明年|年内|到20\d\d年|\d{4}年前|[一二两三四五十\d]年内|计划|预期|"
    r"(?<![主重需只必])要|将|年度|拟|新建|培育|打造|实施|左右|不低于|不少于|不超过|以内|控制在|保持在"
)
# A class of enterprise or unit, not a comparator: 规模以上工业企业, 限额以上, 规上.
# After a count, 10个计划投产项目 (the projects due to start production) is a class of projects,
# not a plan (计划新开工项目270项 is one).
_CLASS_WORDS = re.compile(
    r"规模以上|限额以上|规模以下|限额以下|规上|限上|"
    r"(?<=[个项])计划(?:新)?(?:开工|投产|竣工|建成)(?=的?项目)"
)
_BASELINE_CUES = re.compile(r"目前|现有|当前|截至目前|截止到目前|到目前为止|现已|已有|基数")
_ACHIEVED_CUES = re.compile(
    r"已|累计|去年|上年|过去一年|过去五年|同比|实现了|完成了|签约了|大年初|\d{1,2}月\d{1,2}日|"
    r"\d{1,2}[-—至到~]\d{1,2}月|截至|截止|计划的|任务的|时间进度|序时进度|完成率|到位|先后|"
    r"上半年|[一二]季度|前三季度|前\d{1,2}个?月|履约|开复工|开工率|投产率|过去|年末"
)
# A hedge that makes what follows an estimate, not a result: 预计建成后产值, 初步预计.
_PROJECTION_CUES = re.compile(r"预计|预测|有望|预期可")
_STRONG_TARGET = re.compile(
    r"力争|争取|确保|预期目标|主要目标|目标是|目标为|奋斗目标|目标任务[:：]"
)
_PROGRESS_CUES = re.compile(
    r"计划的|任务的|目标的|时间进度|序时进度|时序进度|均衡进度|平均进度|完成率|已(?!有)|"
    r"完成[^，；。]{0,12}的\d|成[^，；。\d]{0,8}(?:任务|目标|计划)\s*\d[\d.]*\s*%"
)
_FUTURE_WORDS = re.compile(
    r"力争|争取|确保|目标|计划|预期|将|(?<![主重需只必])要|明年|到20\d\d年|年内"
)

# Words that start a metric but are not part of it, removed from its front again and again.
_LEADING = (
    "记者了解到",
    "据了解",
    "其中",
    "同时",
    "并且",
    "并",
    "和",
    "及",
    "以及",
    "与",
    "全年",
    "今年",
    "明年",
    "年内",
    "当年",
    "本年度",
    "年度",
    "力争",
    "争取",
    "确保",
    "目标是",
    "目前",
    "现有",
    "当前",
    "累计",
    "共计",
    "共",
    "总计",
    "预计",
    "培育",
    "仍有",
    "共有",
    "拥有",
    "已有",
    "安排",
    "打造",
    "形成",
    "争创",
    "创建",
    "计划",
    "实现",
    "推动",
    "推进",
    "实施",
    "全市",
    "全区",
    "全县",
    "全省",
    "全国",
    "我市",
    "我区",
    "我县",
    "我省",
    "未来",
    "将",
    "要",
    "已",
    "使",
    "让",
    "的",
    "为",
    "达",
)
_TRAILING = ("分别", "均", "共", "已", "累计", "为", "的", "是", "将", "计", "约", "近", "超")
_PERIOD_IN_METRIC = re.compile(
    r"(到|至|在)?20\d\d年(底|末)?(前)?|“?十[四五]五”?(期间|末)?|[一二两三四五十\d]年内|"
    r"\d{1,2}[-—至]\d{1,2}月(份)?|\d{1,2}月(底|末)?(份)?|上半年|下半年|[前第]?[一二三四]季度|"
    r"大年初[一二三四五六七八九十]|截至目前|截至|全年|今年|明年|年内|当年|(?<![较比])去年(?!同期)|(?<![较比])上年(?!同期)|过去一年|"
    r"预计|预期可|有望"
)

# Spring Festival (正月初一) by year, for 大年初N.
SPRING_FESTIVAL = {
    2015: dt.date(2015, 2, 19),
    2016: dt.date(2016, 2, 8),
    2017: dt.date(2017, 1, 28),
    2018: dt.date(2018, 2, 16),
    2019: dt.date(2019, 2, 5),
    2020: dt.date(2020, 1, 25),
    2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1),
    2023: dt.date(2023, 1, 22),
    2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29),
    2026: dt.date(2026, 2, 17),
    2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26),
    2029: dt.date(2029, 2, 13),
    2030: dt.date(2030, 2, 3),
}
_CN_SMALL = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}
_CN_SMALL.update({"九": 9, "十": 10})

# Where a web page's article ends and its furniture begins.
_BOILERPLATE = re.compile(
    r"^\s*(版权声明|相关文章|分享给朋友|责任编辑|上一篇|下一篇|相关阅读|推荐阅读)"
)


@dataclass
class Filter:
    """A condition on the rows a target counts: 单个项目投资 >= 20亿元."""

    metric: str
    comparator: str
    value: str
    unit: str
    normalized_value: str
    normalized_unit: str

    def __str__(self) -> str:
        return f"{self.metric} {self.comparator} {self.value}{self.unit}"


@dataclass
class ProposedTarget:
    """A target the document states: what, compared how with which value, where, by when."""

    metric: str
    comparator: str
    value: str
    unit: str
    normalized_value: str
    normalized_unit: str
    filter: Filter | None
    scope: str
    period_end: str | None
    sentence: str
    value_max: str | None = None  # a range 6%-7%: value 6, value_max 7
    normalized_value_max: str | None = None


@dataclass
class ProposedFact:
    """A figure the document reports as so (baseline) or as done (achieved)."""

    metric: str
    kind: str  # "baseline", "achieved" or "projection"
    value: str
    unit: str
    normalized_value: str
    normalized_unit: str
    filter: Filter | None
    scope: str
    date: str | None
    sentence: str


@dataclass
class Extraction:
    targets: list[ProposedTarget] = field(default_factory=list)
    facts: list[ProposedFact] = field(default_factory=list)
    year: int | None = None
    date: str | None = None
    sentences: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "targets": [asdict(t) for t in self.targets],
            "facts": [asdict(f) for f in self.facts],
        }


# ---------------------------------------------------------------------------------------------
# Text as the original reads: simplified characters, half-width digits, no layout spaces

_FULL_WIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "％": "%",
        "﹪": "%",
        "．": ".",
        "－": "-",
        "＋": "+",
    }
)
_CJK = r"\u3400-\u9fff\uff0c\u3001\u3002\uff1b\uff1a\uff08\uff09\u201c\u201d"
_LAYOUT_SPACE = re.compile(
    rf"(?<=[{_CJK}\d.%])[ \t\u3000\xa0]+(?=[{_CJK}\d.%A-Za-z])"
    rf"|(?<=[A-Za-z])[ \t\u3000\xa0]+(?=[{_CJK}\d])"
)
_converter: Any = None


def _to_simplified(text: str) -> str:
    global _converter
    if _converter is None:
        import opencc  # OpenCC (PyPI "opencc"): the maintained converter and its dictionaries

        _converter = opencc.OpenCC("t2s")
    return str(_converter.convert(text))


def normalize_text(text: str) -> str:
    """A passage copied from a PDF or a traditional-character mirror, as the original reads:
    traditional → simplified (OpenCC), full-width digits and %, no layout spaces inside numbers
    or between a number and its unit ("27 亿元", "28. 1%", "80 %"), no doubled commas."""
    text = _to_simplified(text).translate(_FULL_WIDTH)
    text = _LAYOUT_SPACE.sub("", text)
    text = re.sub(r"(?<=\d)\.\s+(?=\d)", ".", text)
    return re.sub(r"([，、；])[，、；,]+", r"\1", text)


def normalize(value: Decimal, unit: str, *, money: bool = False) -> Measure:
    """``core.money.normalize_measure`` with the extractor's own units: 个百分点 and ‰ stay what
    they are, people are counted in 人, and a compound unit (万元/人) converts its numerator."""
    unit = (unit or "").strip()
    if unit in ("个百分点", "百分点"):
        return Measure(value, "个百分点", "percent")
    if unit == "‰":
        return Measure(value, "‰", "percent")
    if "/" in unit:
        top, bottom = unit.split("/", 1)
        measure = normalize_measure(value, top, money=money)
        return Measure(measure.value, f"{measure.unit}/{bottom}", "rate")
    for magnitude, factor in (("万亿", 10**12), ("亿", 10**8), ("万", 10**4), ("", 1)):
        if unit == magnitude + "人":
            return Measure(value * factor, "人", "count")
    if unit.endswith("度"):
        unit = unit[: -len("度")] + "千瓦时"  # 亿度 of electricity
    if unit.endswith("千米") and not unit.endswith("平方千米"):
        unit = unit[: -len("千米")] + "公里"
    return normalize_measure(value, unit, money=money)


# ---------------------------------------------------------------------------------------------
# The document: body, year, date, sentences


def document_body(text: str) -> str:
    """The article without the web page's furniture after it (相关文章, 版权声明, ...)."""
    lines = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _BOILERPLATE.match(line):
            break
        lines.append(line)
    return "\n".join(lines)


def document_year(text: str) -> int | None:
    """The year the document is about: the year of a full date near its start, else the year
    it names most often (项目攻坚2022 three times beats one re-post date)."""
    head = text[:400]
    match = re.search(r"(20\d\d)年(\d{1,2})月(\d{1,2})日", head)
    if match:
        return int(match[1])
    # A year, not an amount: 项目攻坚2022, 2022年 — never 2072.8亿元 or 2000个.
    years = Counter(
        int(y) for y in re.findall(r"(?<![\d.])(20\d\d)(?![\d.]|[亿万千百个家项元%])", text)
    )
    if not years:
        return None
    return sorted(years.items(), key=lambda item: (-item[1], -item[0]))[0][0]


def document_date(text: str, year: int | None) -> dt.date | None:
    """The date the document was issued, from its dateline: 2022年2月8日 or 闽南网2月8日讯."""
    head = text[:600]
    match = re.search(r"(20\d\d)年(\d{1,2})月(\d{1,2})日", head)
    if match:
        return _date(int(match[1]), int(match[2]), int(match[3]))
    match = re.search(r"(\d{1,2})月(\d{1,2})日(?:讯|电)", head)
    if match and year:
        return _date(year, int(match[1]), int(match[2]))
    return None


def _date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year_end(year: int) -> str:
    return dt.date(year, 12, 31).isoformat()


def _month_end(year: int, month: int) -> str:
    first_next = dt.date(year + month // 12, month % 12 + 1, 1)
    return (first_next - dt.timedelta(days=1)).isoformat()


def split_sentences(text: str) -> list[str]:
    """Sentences at 。！？ and line breaks; a closing quote or bracket stays with its sentence."""
    sentences = []
    for line in text.split("\n"):
        for piece in re.findall(r"[^。！？!?]+[。！？!?]*[”’」』）)]?", line):
            piece = piece.strip()
            if piece:
                sentences.append(piece)
    return sentences


# ---------------------------------------------------------------------------------------------
# Periods, dates and places within a sentence


def _small_number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text.startswith("十") and len(text) == 2:
        return 10 + _CN_SMALL.get(text[1], 0)
    return _CN_SMALL.get(text, 0)


def period_of(text: str, year: int | None) -> str | None:
    """The end of the period a clause names, resolved against the document year; None when the
    clause names none."""
    match = re.search(r"(?:到|至|在)?(20\d\d)年(?:底|末)?", text)
    if match and (year is None or int(match[1]) >= year):
        return _year_end(int(match[1]))
    for plan, last in (("十一五", 2010), ("十二五", 2015), ("十三五", 2020), ("十四五", 2025)):
        if plan in text:
            return _year_end(last)
    if re.search(r"十五五", text):
        return _year_end(2030)
    if year is None:
        return None
    # 三年内, 用3年时间, 用5-10年时间 (the longer), 未来5年: the years from the document's.
    match = re.search(
        r"(?:用|未来)?(?:\d+[-—至~])?([一二两三四五六七八九十\d]+)年(?:内|时间|左右时间)", text
    ) or re.search(r"未来([一二两三四五六七八九十\d]+)年", text)
    if match:
        return _year_end(year + _small_number(match[1]) - 1)
    if "后年" in text:
        return _year_end(year + 2)
    if "明年" in text:
        return _year_end(year + 1)
    if "上半年" in text:
        return _month_end(year, 6)
    match = re.search(r"(前三季度|[一二三四])季度", text)
    if match:
        quarter = 3 if match[1] == "前三季度" else _CN_SMALL[match[1]]
        return _month_end(year, quarter * 3)
    match = re.search(r"(\d{1,2})月(?:底|末)前", text)
    if match and 1 <= int(match[1]) <= 12:
        return _month_end(year, int(match[1]))
    if re.search(r"全年|今年|年内|当年|本年|年度", text):
        return _year_end(year)
    return None


def date_of(text: str, year: int | None, default: dt.date | None) -> str | None:
    """When a fact held or happened: a date in the clause, a past year, else the document's."""
    if year is not None:
        match = re.search(r"大年初([一二三四五六七八九十])", text)
        if match and year in SPRING_FESTIVAL:
            offset = _CN_SMALL[match[1]] - 1
            return (SPRING_FESTIVAL[year] + dt.timedelta(days=offset)).isoformat()
        match = re.search(r"(?<!\d)(\d{1,2})月(\d{1,2})日", text)
        if match:
            day = _date(year, int(match[1]), int(match[2]))
            if day:
                return day.isoformat()
        match = re.search(r"\d{1,2}[-—至](\d{1,2})月", text)
        if match and 1 <= int(match[1]) <= 12:
            return _month_end(year, int(match[1]))
    match = re.search(r"(20\d\d)年", text)
    if match and (year is None or int(match[1]) < year):
        return _year_end(int(match[1]))
    if year is not None and re.search(r"去年|上年|过去一年", text):
        return _year_end(year - 1)
    return default.isoformat() if default else None


def scope_of(text: str, places: dict[str, str]) -> str | None:
    """The district or zone a clause names (the first, longest name), or a wider level."""
    best: tuple[int, int, str] | None = None
    for name, canonical in places.items():
        index = text.find(name)
        while index >= 0:
            # "全市工业用地" names the city only as a denominator; a place is a place.
            candidate = (index, -len(name), canonical)
            if best is None or candidate < best:
                best = candidate
            break
    if best is not None:
        named = {canonical for name, canonical in places.items() if name in text}
        if len(named) > 1 and re.search(r"、|和|等", text):
            return None  # a list of places is not one place's figure
        return best[2]
    for word, scope in _WIDER_SCOPES:
        if word in text:
            return scope
    return None


# ---------------------------------------------------------------------------------------------
# Figures in a clause


@dataclass
class _Figure:
    start: int
    end: int
    value: Decimal
    unit: str
    low: Decimal | None = None
    is_chinese: bool = False


def _number(text: str) -> Decimal:
    text = text.replace(",", "").replace("，", "")
    return parse_chinese_numeral(text)


def _split_magnitude(number_text: str, unit: str) -> tuple[str, str]:
    """一千七百亿 + 元 → (一千七百, 亿元): a Chinese numeral's trailing 万/亿 is the unit's."""
    for magnitude in ("万亿", "亿", "万"):
        if number_text.endswith(magnitude) and len(number_text) > len(magnitude):
            return number_text[: -len(magnitude)], magnitude + unit
    return number_text, unit


def _figures(clause: str, spans_taken: list[tuple[int, int]]) -> list[_Figure]:
    figures = []
    for match in _FIGURE.finditer(clause):
        if any(a < match.end() and match.start() < b for a, b in spans_taken):
            continue
        if match.start() > 0 and clause[match.start() - 1] in "第0123456789.":
            continue
        if clause[match.end() : match.end() + 1] == "级":
            continue  # 五千亿级产业链, 百亿级: a class, not a figure
        try:
            if match["percent_words"]:
                figures.append(
                    _Figure(match.start(), match.end(), _number(match["pw"]), "%", None, True)
                )
                continue
            if match["double"]:
                times = Decimal(_small_number(match["times"]) or 1)
                figures.append(_Figure(match.start(), match.end(), times, "番", None, True))
                continue
            number_text, unit = _split_magnitude(match["number"], match["unit"])
            is_chinese = not number_text[0].isdigit()
            if is_chinese and (
                unit in ("个", "人", "名", "次", "项", "条", "家", "批", "场", "件", "处")
                and _number(number_text) <= 2
            ):
                continue  # 一个中心, 两家企业: words, not figures
            if is_chinese and clause[max(match.start() - 1, 0) : match.start()] in ("“", '"'):
                continue  # “三个代表”: a name
            if unit == "个" and clause[match.end() : match.end() + 1] in ("月", "年"):
                continue  # 持续6个月: a duration
            low = None
            if match["low"]:
                low_text, _low_unit = _split_magnitude(match["low"], match["low_unit"] or "")
                low = _number(low_text)
            value = _number(number_text)
            start = match.start()
            signed = start > 0 and clause[start - 1] in "-−"
            if signed and (start < 2 or not clause[start - 2].isdigit()):
                value, start = -value, start - 1  # 增长-8.92%: a fall written as negative growth
            figures.append(_Figure(start, match.end(), value, unit, low, is_chinese))
        except QuantityError:
            continue
    return figures


def _filter_in(clause: str) -> tuple[Filter | None, tuple[int, int] | None, str]:
    match = next(
        (m for m in _FILTER.finditer(clause) if m["pre"] or m["word"]),
        None,
    )
    if not match:
        return None, None, ""
    number = _number(match["number"]) if match["number"] else Decimal(1)
    value = decimal_text(number)
    measure = normalize(number, match["unit"], money=True)
    comparator = {"以上": GTE, "以下": LTE}.get(
        match["word"] or "", GT if match["pre"] == "超" else GTE
    )
    noun = match["noun"]
    head = "项目"
    flt = Filter(
        metric=f"单个{head}投资",
        comparator=comparator,
        value=value,
        unit=match["unit"],
        normalized_value=decimal_text(measure.value),
        normalized_unit=measure.unit,
    )
    # The span of the threshold alone; the noun stays in the clause for the metric.
    return flt, (match.start(), match.start("noun")), noun


def _comparator(before: str, after: str) -> str | None:
    """The comparator the words next to a figure give, or None when they give none."""
    before = before.rstrip()
    found_before = None
    for word, comparator in _BEFORE_WORDS:
        if before.endswith(word):
            found_before = comparator
            break
    found_after = None
    for word, comparator in _AFTER_WORDS:
        if after.startswith(word):
            found_after = comparator
            break
    if found_before in (GT, LT, LTE):
        return found_before
    return found_after or found_before


def _strip_metric(text: str, places: dict[str, str]) -> str:
    text = re.sub(r"[“”\"‘’「」『』《》（）()【】已了]", "", text)
    text = _PERIOD_IN_METRIC.sub("", text).replace("项目项目", "项目")
    text = re.sub(r"^" + _PARK_SUBJECT.pattern + r"(?=共有|现有|已有|拥有|内有)", "", text)
    for name in sorted(places, key=len, reverse=True):
        if text.startswith(name):
            text = text[len(name) :]
    changed = True
    while changed and text:
        changed = False
        for word in sorted(_LEADING, key=len, reverse=True):
            if word in ("年度", "计划") and re.match(r"(年度)?计划(总)?投资|年度投资计划", text):
                continue  # 年度计划投资 is the metric itself
            if text.startswith(word) and len(text) > len(word):
                text = text[len(word) :]
                changed = True
        for name in sorted(places, key=len, reverse=True):
            if text.startswith(name) and len(text) > len(name):
                text = text[len(name) :]
                changed = True
    changed = True
    while changed and text:
        changed = False
        for word, _comparator_symbol in _BEFORE_WORDS:
            if text.endswith(word) and not _VERB_ENDING_IN_DA.search(text):
                text = text[: -len(word)]
                changed = True
        for word in _TRAILING:
            if word == "约" and re.search(r"[履签合]约$", text):
                continue  # 履约, 签约: the verb, not "about"
            if text.endswith(word):
                text = text[: -len(word)]
                changed = True
    return text.strip(" ，、；：,;:")


_EVENT_WORDS = re.compile(
    r"签约|开工|竣工|建成|投产|引进|落地|新增|新签|履约|对接|洽谈|下达|实施|转移|投资项目|招商|入统|"
    r"上报|入库|集中|达产|完工|投用"
)
_VERB_ENDING_IN_DA = re.compile(r"(下|送|抵|表|传|到)达$")
_COUNTED_HEADS = re.compile(
    r"项目|企业|园区|基地|平台|工程|厂房|村|站|中心|学校|医院|基站|产业链|集群|载体|组"
)
_PLAN_VERBS = r"培育|打造|形成|建成|新建|建设|引进|招引|实施|争创|创建|新增|设立|成立"


_GROWTH_METRIC = re.compile(r"^(同比|比上年|较去年同期)?(增长|下降|增加|减少|提高)|^占")
_ROSTER_WORDS = re.compile(r"共|合计|储备|安排|确定|列入|包装")
_ROSTER_METRIC = re.compile(r"^(计划)?总投资$|^(计划)?投资额$|项目$|项目合$")
_NOT_METRICS = {"力争", "争取", "确保", "打造", "到", "达到", "其中", "合", "分别", "和"}


# The park itself as the subject before a number-first figure: 园区30户规上企业 counts 规上企业.
_PARK_SUBJECT = re.compile(r"全?(?:园区|开发区|经开区|高新区|工业园区?|工业集中区|产业园)")
_STOCK_OF_ENTERPRISES = re.compile(r"入园|入驻|在园|规上|规模以上|规模较大|现有|共有|拥有|集聚")
_NEW_ENTERPRISES = re.compile(
    r"新增|新引进|引进|签约|落地|新签|培育|认定|招引|对接|新落户|增长|增加"
)


def _enterprise_stock(metric: str, sentence: str, unit: str) -> bool:
    """A count of enterprises that says what a park has (入园企业达3636户, 规上企业454户,
    现有各类企业80家) is a baseline; enterprises that came or were made (新增入园企业27户,
    培育…企业) are not."""
    if unit != "count" or not re.search(r"企业(?:法人)?$", metric):
        return False
    if _NEW_ENTERPRISES.search(metric):
        return False
    return bool(
        _STOCK_OF_ENTERPRISES.search(metric)
        or re.search(r"截[至止][^，；。]{0,12}[末底]|现有|共有|拥有|集聚|入驻", sentence)
        or re.search(re.escape(metric) + r"(?:总数)?达到?\d", sentence)
    )


def _counted_noun(after: str) -> str:
    """The noun a number-first figure counts: 741个项目 → 项目; 21个签约项目总投资… → 签约项目."""
    match = re.match(r"[^，、；。：0-9“”（）()]{1,14}", after)
    if not match:
        return ""
    noun = match[0]
    for word, _symbol in _AFTER_WORDS:
        if noun.startswith(word):
            noun = noun[len(word) :]
    head = _COUNTED_HEADS.search(noun)
    if head:
        return noun[: head.end()]
    return ""


# ---------------------------------------------------------------------------------------------
# Sentences


@dataclass
class _State:
    mode: str | None = None  # "target", "baseline", "achieved"
    period: str | None = None
    scope: str | None = None
    last_metric: str = ""  # the subject: the last metric that is not a growth or a share
    previous_metric: str = ""  # the metric of the figure just before
    task_metric: str = ""  # 完成年度目标任务589亿元的…: the words that name the quoted task


def _names_past(text: str, year: int | None) -> bool:
    """The text speaks of a period before the document year: 2021年 in a 2022 report, 过去一年."""
    if re.search(r"过去一年|过去五年|过去的一年|一年来|五年来|去年|上年(?!同期)", text):
        return True
    years = [int(y) for y in re.findall(r"(?<!\d)(20\d\d)年(?!\d)", text)]
    return bool(years) and year is not None and max(years) < year


def _sentence_mode(
    sentence: str, year: int | None, past_context: bool, deadline: bool = False
) -> str:
    """The mode a sentence starts in: a report of a past year (or of a paragraph about one) is
    achieved; a target when it says what is to be done and reports nothing done; otherwise a
    report of what was done."""
    spoken = _CLASS_WORDS.sub("", _FILTER.sub("", sentence))
    strong = _STRONG_TARGET.search(spoken)
    if (
        not strong
        and (_names_past(spoken, year) or past_context)
        and not re.search(r"今年|明年|到20\d\d年", spoken)
    ):
        return "achieved"
    if (
        _TARGET_CUES.search(spoken)
        and not _ACHIEVED_CUES.search(spoken)
        and (strong or deadline or _PLAN_CUES.search(spoken))
    ):
        return "target"  # a plan; a comparator word alone (达到, 超过, 以上) states what is
    return "achieved"


def _clause_mode(clause: str, previous: str | None, year: int | None) -> str | None:
    spoken = _CLASS_WORDS.sub("", _FILTER.sub("", clause))
    if _PROJECTION_CUES.search(spoken) and not re.search(r"力争|争取|确保|预期目标", spoken):
        return "projection"
    if re.search(r"至目前|截至目前", spoken):
        return "achieved"
    past_year = any(year is not None and int(y) < year for y in re.findall(r"(20\d\d)年", spoken))
    if _PROGRESS_CUES.search(spoken) and not re.search(r"力争|争取|确保", spoken):
        return "achieved"
    if (
        _BASELINE_CUES.search(spoken)
        and not _FUTURE_WORDS.search(spoken)
        and not _EVENT_WORDS.search(spoken)
    ):
        return "baseline"
    if _ACHIEVED_CUES.search(spoken) and not re.search(r"力争|争取|确保|目标|计划", spoken):
        return "achieved"
    if past_year and not _FUTURE_WORDS.search(spoken):
        return "achieved"
    if _TARGET_CUES.search(spoken):
        return "target"
    return previous


def _sentence_items(
    sentence: str,
    *,
    year: int | None,
    doc_date: dt.date | None,
    places: dict[str, str],
    extraction: Extraction,
    context: dict[str, Any],
) -> None:
    state = _State(
        mode=_sentence_mode(sentence, year, context.get("past", False), bool(context.get("period")))
    )
    sentence_mode = state.mode
    spoken_sentence = _respectively(sentence)
    if context.get("period"):
        state.period = context["period"]
    pieces = re.split(r"([，,、；;：:（）()。！？!?])", spoken_sentence)
    clauses = pieces[0::2]
    stops = [*pieces[1::2], ""]
    default_scope = scope_of(sentence, places) or CITY_SCOPE
    strong = bool(_STRONG_TARGET.search(sentence))
    past_sentence = _names_past(sentence, year) and not re.search(r"今年|明年|到20\d\d年", sentence)
    restore = False
    in_part = False  # after 其中: the parts of what came before
    for clause, stop in zip(clauses, stops, strict=True):
        if restore:
            state.mode = "achieved" if sentence_mode == "target" else sentence_mode
            restore = False
        if not clause.strip():
            continue
        in_part = in_part or clause.lstrip().startswith("其中")
        mode = _clause_mode(clause, state.mode, year)
        if _PROJECTION_CUES.search(clause) and _FIGURE.search(clause) and stop in "；;":
            restore = True  # 预计年均增长24.5%；…: a hedge with its own figure ends at ；
        # The hedge's scope: 初步预计… and a review of last year keep their mode over the
        # target-looking words (全年, 以上, 达到) of the clauses that follow.
        if (
            mode == "target"
            and state.mode in ("achieved", "projection")
            and not strong
            and (state.mode == "projection" or context.get("past") or past_sentence)
        ):
            mode = state.mode
        if (
            mode == "target"
            and sentence_mode == "achieved"
            and state.mode in ("achieved", "baseline")
            and not _PLAN_CUES.search(_CLASS_WORDS.sub("", clause))
        ):
            # a result sentence's 达87%, 超过800家: only a plan cue makes a target
            mode = state.mode
        state.mode = mode
        state.period = period_of(clause, year) or state.period
        clause_scope = scope_of(clause, places)
        if clause_scope:
            state.scope = clause_scope
        flt, filter_span, _noun = _filter_in(clause)
        taken = [filter_span] if filter_span else []
        figures = _figures(clause, taken)
        if not figures or state.mode is None:
            continue
        previous_end = 0
        for figure in figures:
            prefix = clause[previous_end : figure.start]
            if filter_span and previous_end <= filter_span[0] < figure.start:
                prefix = (
                    clause[previous_end : filter_span[0]] + clause[filter_span[1] : figure.start]
                )
            after = clause[figure.end :]
            metric = _strip_metric(prefix, places)
            noun = _counted_noun(after)
            if noun and (
                previous_end > 0 or re.search(r"[和及与]$|(?:" + _PLAN_VERBS + ")$", prefix)
            ):
                # A list of number-first items: 打造4个集群、3个万亿级产业链和5个千亿级产业链,
                # 培育100家龙头企业: the noun after the figure is the metric.
                metric = _strip_metric(noun, places)
            elif noun and re.fullmatch(r"[已仍共]?有", prefix.strip()):
                # 已有199个项目实质性开工建设: the noun and what it did
                rest = re.match(r"[^，、；。0-9（(]{0,12}", after)
                metric = _strip_metric((rest[0] if rest else noun), places)
            elif noun and _PARK_SUBJECT.fullmatch(metric):
                metric = _strip_metric(noun, places)  # 园区30户规上企业: the park is the subject
            elif not _COUNTED_HEADS.search(metric) and noun:
                # Number first: 首批已下达741个项目, 21个签约项目总投资…
                metric = _strip_metric(prefix + noun, places)
            if (
                clause.lstrip().startswith("其中")
                and state.last_metric
                and metric in ("", "项目", "企业")
            ):
                metric = state.last_metric  # 其中20亿元以上项目100个: a part of the last metric
            if re.search(r"调增|调减|比目标任务增加|比目标任务减少$", prefix) or (
                figure.unit in ("次", "届") and "届" in clause[: figure.start]
            ):
                previous_end = figure.end
                continue  # a revision of a target (调增2个百分点), a meeting's number (六届十二次)
            share_of_task = prefix.strip() == "的" and bool(state.task_metric)
            if share_of_task:
                metric = state.task_metric  # …任务数132.63亿元的90.8%: the share of the task
            elif metric in _NOT_METRICS or len(metric) < 2:
                metric = state.previous_metric  # 增长8%、力争9%: the same metric again
            task = re.match(r"的\s*[-\d.]+%", after)
            if task and re.search(r"任务|计划|目标", prefix) and state.last_metric:
                state.task_metric = _strip_metric(prefix, places)
                # 完成年度目标任务589亿元的37.22%: 589亿元 is the year's target, quoted.
                measure = normalize(figure.value, figure.unit, money=True)
                extraction.targets.append(
                    ProposedTarget(
                        metric=state.last_metric,
                        comparator=GTE,
                        value=decimal_text(figure.value),
                        unit=figure.unit,
                        normalized_value=decimal_text(measure.value),
                        normalized_unit=measure.unit,
                        filter=flt,
                        scope=state.scope or default_scope,
                        period_end=_year_end(year) if year else None,
                        sentence=sentence,
                    )
                )
                previous_end = figure.end
                continue
            previous_end = figure.end
            if not metric or len(metric) > 30:
                continue
            money = bool(MONEY_WORDS.search(metric))
            scope = state.scope or default_scope
            measures = _measures(figure, money)
            comparator = _comparator(clause[: figure.start], after) or GTE
            target = state.mode == "target" and not share_of_task
            roster = False
            if (
                target
                and not strong
                and _ROSTER_METRIC.search(metric)
                and (not metric.endswith(("项目", "项目合")) or _ROSTER_WORDS.search(sentence))
                and not _comparator(clause[: figure.start], after)
            ):
                target = False  # a plan's roster: 储备项目85个、计划投资额1576亿元
                roster = True
            descriptor = bool(re.match(r"的[^，、；。0-9]{0,20}项目", after)) or bool(
                re.match(r"(?:该|此|这个)项目(?:计划)?总投资", metric)
            )  # 总投资21.18亿元的…项目, 该项目总投资8亿元: one project's size
            if target and "在建" in metric and not _comparator(clause[: figure.start], after):
                target = False  # 加快30个在建项目: the projects under way, a stock
                roster = True
            if descriptor:
                target = False  # 总投资21.18亿元的…项目: one project's size
                metric = _strip_metric(prefix, places) or metric
            if target:
                # A range (6%-7%) is one target: at least the low end, at most value_max.
                number = figure.low if figure.low is not None else figure.value
                symbol = GTE if figure.low is not None else comparator
                measure = normalize(number, figure.unit, money=money)
                top = None
                if figure.low is not None:
                    top = normalize(figure.value, figure.unit, money=money)
                extraction.targets.append(
                    ProposedTarget(
                        metric=metric,
                        comparator=symbol,
                        value=decimal_text(number),
                        unit=figure.unit,
                        normalized_value=decimal_text(measure.value),
                        normalized_unit=measure.unit,
                        filter=flt,
                        scope=scope,
                        period_end=state.period or (_year_end(year) if year else None),
                        sentence=sentence,
                        value_max=decimal_text(figure.value) if top else None,
                        normalized_value_max=decimal_text(top.value) if top else None,
                    )
                )
            else:
                measure = measures[-1]
                kind = state.mode if state.mode in FACT_KINDS else "baseline"
                if share_of_task:
                    kind = "achieved"
                if roster:
                    event = _EVENT_WORDS.search(metric) or _EVENT_WORDS.search(state.last_metric)
                    kind = "achieved" if event else "baseline"
                elif (
                    kind == "achieved"
                    and not in_part
                    and measure.unit == "count"
                    and metric.endswith("项目")
                    and not _EVENT_WORDS.search(metric)
                    and not _EVENT_WORDS.search(after)
                ):
                    kind = "baseline"  # the projects on a list: 100个重点推进项目
                elif kind == "achieved" and _enterprise_stock(metric, sentence, measure.unit):
                    kind = "baseline"  # a park's enterprises: 入园企业3636户, 规上企业454户
                if descriptor or (measure.unit == "平方米" and "面积" in metric):
                    kind = "baseline"  # a project's size, an area: what is, not what was done
                extraction.facts.append(
                    ProposedFact(
                        metric=metric,
                        kind=kind,
                        value=decimal_text(figure.value),
                        unit=figure.unit,
                        normalized_value=decimal_text(measure.value),
                        normalized_unit=measure.unit,
                        filter=flt,
                        scope=scope,
                        date=date_of(sentence, year, doc_date),
                        sentence=sentence,
                    )
                )
            state.previous_metric = metric
            if not clause.lstrip().startswith("其中") and not _GROWTH_METRIC.match(metric):
                state.last_metric = metric


_RESPECTIVELY = re.compile(
    r"(?P<subjects>[^，,；;。：:、]+(?:、[^，,；;。：:、]+)+?)分别(?P<verb>[^，,；;。0-9]{0,6}?)"
    rf"(?P<figures>{_NUMBER}(?:{_MAG}{_UNIT})?(?:[、和及与]{_NUMBER}(?:{_MAG}{_UNIT})?)+)"
)


def _respectively(sentence: str) -> str:
    """高技术制造业、装备制造业增加值分别增长8.9%、7.7% → 高技术制造业增加值增长8.9%，
    装备制造业增加值增长7.7%: each subject gets its own figure (the words the last subject adds
    after the part it shares with the others are given to each)."""

    def rewrite(match: re.Match[str]) -> str:
        subjects = match["subjects"].split("、")
        figures = re.split(r"[、和及与]", match["figures"])
        if len(subjects) != len(figures):
            return match[0]
        last = subjects[-1]
        shared = ""
        for size in range(min(len(subjects[0]), len(last)), 1, -1):
            tail = subjects[0][-size:]
            if tail in last[:-1]:
                shared = last[last.index(tail) + size :]
                break
        parts = []
        for number, (subject, figure) in enumerate(zip(subjects, figures, strict=True)):
            name = subject if number == len(subjects) - 1 else subject + shared
            parts.append(f"{name}{match['verb']}{figure}")
        return "，".join(parts)

    return _RESPECTIVELY.sub(rewrite, sentence)


def _carry_context(sentence: str, year: int | None, context: dict[str, Any]) -> None:
    """What a sentence tells the ones after it: a deadline (到2025年, 十二五末) that a plan's
    later sentences share, and whether the text is reviewing a past year. A sentence about
    this year (今年, 全年目标, 预期目标) ends both."""
    if re.search(r"今年|明年|预期目标|主要目标", sentence):
        context.clear()
    deadline = re.search(
        r"(?:到|至)(20\d\d)年|(20\d\d)年(?:发展)?目标|十[二三四五]五.?末", sentence
    )
    if deadline:
        found = period_of(deadline[0], year)
        if found and (year is None or found > _year_end(year)):
            context["period"] = found
    if _names_past(sentence, year) and not _STRONG_TARGET.search(sentence):
        context["past"] = True
    elif re.search(r"今年|明年|预期目标|力争", sentence):
        context["past"] = False


def _measures(figure: _Figure, money: bool) -> list[Measure]:
    measures = []
    if figure.low is not None:
        measures.append(normalize(figure.low, figure.unit, money=money))
    measures.append(normalize(figure.value, figure.unit, money=money))
    return measures


def extract(
    text: str,
    *,
    year: int | None = None,
    date: dt.date | None = None,
    places: dict[str, str] | None = None,
) -> Extraction:
    """Propose the targets and facts of a document. ``year`` resolves 今年/明年/三年内 (found in
    the text when not given); ``date`` dates the facts that name no date of their own."""
    body = document_body(normalize_text(text))
    year = year or document_year(body)
    doc_date = date or document_date(body, year)
    places = {**QUANZHOU_PLACES, **(places or {})}
    extraction = Extraction(year=year, date=doc_date.isoformat() if doc_date else None)
    context: dict[str, Any] = {}
    for sentence in split_sentences(body):
        extraction.sentences.append(sentence)
        _sentence_items(
            sentence,
            year=year,
            doc_date=doc_date,
            places=places,
            extraction=extraction,
            context=context,
        )
        _carry_context(sentence, year, context)
    return extraction


__all__ = [
    "COMPARATORS",
    "MONEY_YUAN",
    "Extraction",
    "Filter",
    "ProposedFact",
    "ProposedTarget",
    "extract",
    "split_sentences",
]
