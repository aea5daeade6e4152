"""Precision, recall and F1 of the extractor over the labelled corpus (docs/extraction.md).

The corpus is a folder of text files (``tests/corpus/*.txt``) in one format::

    === id | split | genre | region | year | source address
    the passage, as the page gives it
    ---
    T metric | comparator | value unit [| max value] | scope | period_end
    F metric | kind | value unit | scope | date

Gold values are normalised by the extractor's own unit rules (``normalize``), so a label is
written as the document writes it (1700亿元, 27.5平方公里, 2个百分点).

A proposed target matches a labelled one of the same document when normalised value, unit,
comparator and value_max are equal and the metrics agree (equal, or one contains the other); a
fact when value, unit and kind are equal and the metrics agree. Matching is one to one. A
period counts as right when a matched target's period_end equals the label's; its precision is
over all proposed targets, its recall over all labelled ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from gongjian.core.money import decimal_text
from gongjian.policytext.extract import MONEY_WORDS, extract, normalize, normalize_text

SPLITS = ("dev", "test")
GENRES = ("work_report", "annual_plan", "action_plan", "key_projects", "investment", "park")
_VALUE = re.compile(r"^(?P<value>[-+]?\d+(?:\.\d+)?)\s*(?P<unit>.*)$")


class CorpusError(ValueError):
    """A corpus file that does not follow the format; names the file and line."""


# A money threshold in a metric is the item's filter, compared apart: 新签约亿元以上工业项目 and
# 新签约工业项目 (filter 单个项目投资 >= 1亿元) name the same thing.
_THRESHOLD = re.compile(r"(?:超|上|投资)?[\d.]*(?:万亿|亿|万)元?(?:以上|以下)?(?:的)?")


def _metric_agrees(a: str, b: str) -> bool:
    a, b = (_THRESHOLD.sub("", normalize_text(m).replace(" ", "")) for m in (a, b))
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def _target_key(item: dict[str, Any]) -> tuple:
    return (
        item["normalized_value"],
        item["normalized_unit"],
        item["comparator"],
        item.get("normalized_value_max"),
    )


def _fact_key(item: dict[str, Any]) -> tuple:
    return (item["normalized_value"], item["normalized_unit"], item["kind"])


@dataclass
class Score:
    proposed: int = 0
    labelled: int = 0
    matched: int = 0
    exact_metric: int = 0
    exact_scope: int = 0
    # Periods (targets) or dates (facts): labelled ones among the matched, and right ones.
    when_labelled: int = 0
    when_right: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    # Periods: a target found with the right period_end.
    @property
    def period_precision(self) -> float:
        return self.when_right / self.proposed if self.proposed else 1.0

    @property
    def period_recall(self) -> float:
        return self.when_right / self.labelled if self.labelled else 1.0

    @property
    def period_f1(self) -> float:
        p, r = self.period_precision, self.period_recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def period_right_share(self) -> float:
        """period_end right among the matched targets whose period is labelled."""
        return self.when_right / self.when_labelled if self.when_labelled else 1.0


def _match(score, proposed, labelled, key, when: str, line_id: str) -> None:
    score.proposed += len(proposed)
    score.labelled += len(labelled)
    left = list(proposed)
    for gold in labelled:
        found = next(
            (
                p
                for p in left
                if key(p) == key(gold) and _metric_agrees(p["metric"], gold["metric"])
            ),
            None,
        )
        if found is None:
            score.misses.append({"id": line_id, **gold})
            continue
        left.remove(found)
        score.matched += 1
        score.exact_metric += normalize_text(found["metric"]) == gold["metric"]
        score.exact_scope += found["scope"] == gold["scope"]
        if gold.get(when):
            score.when_labelled += 1
            if found.get(when) == gold[when]:
                score.when_right += 1
            else:
                score.misses.append({"id": line_id, "wrong_" + when: found.get(when), **gold})
    score.spurious.extend({"id": line_id, **p} for p in left)


@dataclass
class Evaluation:
    targets: Score = field(default_factory=Score)
    facts: Score = field(default_factory=Score)
    documents: set[str] = field(default_factory=set)
    lines: int = 0


def evaluate_lines(lines: Iterable[dict[str, Any]]) -> dict[str, Evaluation]:
    """Scores by split, by split and genre ("test/park"), and over all lines ("all")."""
    results: dict[str, Evaluation] = {}
    for line in lines:
        found = extract(line["text"], year=line.get("year")).as_dict()
        split = line["split"]
        for group in ("all", split, f"{split}/{line['genre']}"):
            result = results.setdefault(group, Evaluation())
            result.lines += 1
            result.documents.add(line["source"])
            _match(
                result.targets,
                found["targets"],
                line["targets"],
                _target_key,
                "period_end",
                line["id"],
            )
            _match(result.facts, found["facts"], line["facts"], _fact_key, "date", line["id"])
    order = ["all", *SPLITS, *(f"{s}/{g}" for s in SPLITS for g in GENRES)]
    return {group: results[group] for group in order if group in results}


# ---------------------------------------------------------------------------------------------
# Reading the corpus


def _gold_value(text: str, metric: str, where: str) -> dict[str, str]:
    match = _VALUE.match(text.strip())
    if not match:
        raise CorpusError(f"{where}: value and unit expected, got {text!r}")
    value, unit = Decimal(match["value"]), match["unit"].strip()
    money = bool(MONEY_WORDS.search(normalize_text(metric)))
    measure = normalize(value, unit, money=money)
    return {
        "value": decimal_text(value),
        "unit": unit,
        "normalized_value": decimal_text(measure.value),
        "normalized_unit": measure.unit,
    }


def _label(raw: str, where: str, year: int | None) -> tuple[str, dict[str, Any]]:
    kind, rest = raw[0], raw[2:]
    parts = [p.strip() for p in rest.split("|")]
    if kind == "T" and len(parts) in (5, 6):
        metric, comparator, value = parts[0], parts[1], parts[2]
        maximum = parts[3] if len(parts) == 6 else None
        scope, period = parts[-2], parts[-1]
        item: dict[str, Any] = {
            "metric": metric,
            "comparator": comparator,
            **_gold_value(value, metric, where),
        }
        item["value_max"] = None
        item["normalized_value_max"] = None
        if maximum:
            top = _gold_value(maximum + item["unit"], metric, where)
            item["value_max"] = top["value"]
            item["normalized_value_max"] = top["normalized_value"]
        item |= {"scope": scope, "period_end": None if period == "-" else period}
        if comparator not in (">=", ">", "=", "<=", "<"):
            raise CorpusError(f"{where}: comparator {comparator!r}")
        return "targets", item
    if kind == "F" and len(parts) == 5:
        metric, fact_kind, value, scope, date = parts
        if fact_kind not in ("baseline", "achieved", "projection"):
            raise CorpusError(f"{where}: fact kind {fact_kind!r}")
        fact: dict[str, Any] = {"metric": metric, "kind": fact_kind}
        fact |= _gold_value(value, metric, where)
        fact |= {"scope": scope, "date": None if date == "-" else date}
        return "facts", fact
    raise CorpusError(
        f"{where}: a label is 'T metric | comparator | value | scope | period' "
        f"or 'F metric | kind | value | scope | date'"
    )


def read_corpus(path: str | Path) -> list[dict[str, Any]]:
    """The documents of a corpus file, or of every .txt file in a corpus folder."""
    path = Path(path)
    files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
    lines: list[dict[str, Any]] = []
    for file in files:
        lines.extend(_read_file(file))
    if not lines:
        raise CorpusError(f"{path}: no documents")
    return lines


def _read_file(file: Path) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    in_labels = False
    for number, raw in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1):
        where = f"{file.name}:{number}"
        if raw.startswith("#") and (current is None or in_labels):
            continue  # a comment, before a document or among labels
        if raw.startswith("=== "):
            fields = [f.strip() for f in raw[4:].split("|", 5)]
            if len(fields) != 6 or fields[1] not in SPLITS or fields[2] not in GENRES:
                raise CorpusError(f"{where}: '=== id | dev/test | genre | region | year | url'")
            try:
                year = None if fields[4] == "-" else int(fields[4])
            except ValueError:
                raise CorpusError(f"{where}: year {fields[4]!r}") from None
            current = {
                "id": fields[0],
                "split": fields[1],
                "genre": fields[2],
                "region": fields[3],
                "year": year,
                "source": fields[5],
                "text": "",
                "targets": [],
                "facts": [],
            }
            lines.append(current)
            in_labels = False
            continue
        if current is None:
            if raw.strip():
                raise CorpusError(f"{where}: text before the first '=== ' header")
            continue
        if raw.strip() == "---":
            in_labels = True
            continue
        if not in_labels:
            current["text"] += ("\n" if current["text"] else "") + raw
        elif raw.strip():
            try:
                name, item = _label(raw.strip(), where, current["year"])
            except (InvalidOperation, ValueError) as error:
                raise CorpusError(f"{where}: {error}") from None
            current[name].append(item)
    return lines


# ---------------------------------------------------------------------------------------------
# Reports


def report(results: dict[str, Evaluation], *, verbose: bool = False, split: str = "") -> str:
    out = [
        f"{'part':22} {'docs':>4} {'kind':8} {'labelled':>8} {'proposed':>8} {'matched':>7} "
        f"{'P':>6} {'R':>6} {'F1':>6}"
    ]
    for group, result in results.items():
        for name, score in (("targets", result.targets), ("facts", result.facts)):
            out.append(
                f"{group:22} {len(result.documents):4} {name:8} {score.labelled:8} "
                f"{score.proposed:8} {score.matched:7} {score.precision:6.3f} "
                f"{score.recall:6.3f} {score.f1:6.3f}"
            )
        score = result.targets
        out.append(
            f"{group:22} {len(result.documents):4} {'periods':8} {score.labelled:8} "
            f"{score.proposed:8} {score.when_right:7} {score.period_precision:6.3f} "
            f"{score.period_recall:6.3f} {score.period_f1:6.3f}   "
            f"period_end right for {score.when_right}/{score.when_labelled} matched targets"
        )
    if verbose:
        chosen = results.get(split or "dev") or results["all"]
        for name, score in (("targets", chosen.targets), ("facts", chosen.facts)):
            for item in score.misses:
                out.append(f"MISSED   {name}: {_brief(item)}")
            for item in score.spurious:
                out.append(f"SPURIOUS {name}: {_brief(item)}")
    return "\n".join(out) + "\n"


def _brief(item: dict[str, Any]) -> str:
    parts = [item["id"], item["metric"], item.get("comparator") or item.get("kind", "")]
    value = item["value"] + item["unit"]
    if item.get("value_max"):
        value += f"–{item['value_max']}"
    parts += [value, item["scope"], str(item.get("period_end") or item.get("date"))]
    for key in ("wrong_period_end", "wrong_date"):
        if key in item:
            parts.append(f"{key}={item[key]}")
    return " | ".join(str(p) for p in parts)


def as_json(results: dict[str, Evaluation]) -> dict[str, Any]:
    def block(score: Score) -> dict[str, Any]:
        return {
            "labelled": score.labelled,
            "proposed": score.proposed,
            "matched": score.matched,
            "precision": round(score.precision, 4),
            "recall": round(score.recall, 4),
            "f1": round(score.f1, 4),
        }

    out: dict[str, Any] = {}
    for group, result in results.items():
        periods = {
            "precision": round(result.targets.period_precision, 4),
            "recall": round(result.targets.period_recall, 4),
            "f1": round(result.targets.period_f1, 4),
            "right_of_matched": round(result.targets.period_right_share, 4),
        }
        out[group] = {
            "documents": len(result.documents),
            "targets": block(result.targets),
            "facts": block(result.facts),
            "periods": periods,
        }
    return out
