"""Precision and recall of the extractor over a labelled corpus (JSON Lines).

Each line: {"id", "source" (URL), "split" ("dev" or "heldout"), "year", "text", "targets": [...],
"facts": [...]} with targets and facts in the extractor's own JSON shape. A proposed target
matches a labelled one of the same line when normalized value, normalized unit and comparator
are equal and the metrics agree (equal, or one contains the other); a fact when value, unit and
kind are equal and the metrics agree. Matching is one to one. Exact metric, scope and period are
reported as accuracies over the matched pairs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from gongjian.policytext.extract import extract


def _metric_agrees(a: str, b: str) -> bool:
    a, b = a.replace(" ", ""), b.replace(" ", "")
    return bool(a) and bool(b) and (a == b or a in b or b in a)


def _target_key(item: dict[str, Any]) -> tuple:
    return (item["normalized_value"], item["normalized_unit"], item["comparator"])


def _fact_key(item: dict[str, Any]) -> tuple:
    return (item["normalized_value"], item["normalized_unit"], item["kind"])


@dataclass
class Score:
    proposed: int = 0
    labelled: int = 0
    matched: int = 0
    exact_metric: int = 0
    exact_scope: int = 0
    exact_when: int = 0
    misses: list[dict[str, Any]] = field(default_factory=list)
    spurious: list[dict[str, Any]] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.proposed if self.proposed else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.labelled if self.labelled else 1.0


def _match(
    score: Score,
    proposed: list[dict[str, Any]],
    labelled: list[dict[str, Any]],
    key,
    when: str,
    line_id: str,
) -> None:
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
        score.exact_metric += found["metric"] == gold["metric"]
        score.exact_scope += found["scope"] == gold["scope"]
        score.exact_when += found.get(when) == gold.get(when)
    score.spurious.extend({"id": line_id, **p} for p in left)


@dataclass
class Evaluation:
    targets: Score = field(default_factory=Score)
    facts: Score = field(default_factory=Score)
    lines: int = 0


def evaluate_lines(lines: Iterable[dict[str, Any]]) -> dict[str, Evaluation]:
    """Scores by split, and over all lines under "all"."""
    results: dict[str, Evaluation] = {"all": Evaluation()}
    for line in lines:
        found = extract(line["text"], year=line.get("year")).as_dict()
        for split in ("all", line.get("split", "dev")):
            result = results.setdefault(split, Evaluation())
            result.lines += 1
            _match(
                result.targets,
                found["targets"],
                line.get("targets", []),
                _target_key,
                "period_end",
                line["id"],
            )
            _match(
                result.facts, found["facts"], line.get("facts", []), _fact_key, "date", line["id"]
            )
    return results


def read_corpus(path: str | Path) -> list[dict[str, Any]]:
    lines = []
    for number, raw in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if raw.strip():
            try:
                lines.append(json.loads(raw))
            except json.JSONDecodeError as error:
                raise ValueError(f"{path}:{number}: {error}") from None
    return lines


def report(results: dict[str, Evaluation], *, verbose: bool = False) -> str:
    out = []
    for split, result in results.items():
        for name, score in (("targets", result.targets), ("facts", result.facts)):
            out.append(
                f"{split:8} {name:8} lines={result.lines:3} labelled={score.labelled:3} "
                f"proposed={score.proposed:3} matched={score.matched:3} "
                f"precision={score.precision:.3f} recall={score.recall:.3f} "
                f"exact_metric={score.exact_metric}/{score.matched} "
                f"scope={score.exact_scope}/{score.matched} "
                f"{'period' if name == 'targets' else 'date'}={score.exact_when}/{score.matched}"
            )
    if verbose:
        overall = results["all"]
        for name, score in (("targets", overall.targets), ("facts", overall.facts)):
            for item in score.misses:
                out.append(f"MISSED   {name}: {_brief(item)}")
            for item in score.spurious:
                out.append(f"SPURIOUS {name}: {_brief(item)}")
    return "\n".join(out) + "\n"


def _brief(item: dict[str, Any]) -> str:
    parts = [item["id"], item["metric"], item.get("comparator") or item.get("kind", "")]
    parts += [item["value"] + item["unit"], item["scope"]]
    return " | ".join(str(p) for p in parts)


def as_json(results: dict[str, Evaluation]) -> dict[str, Any]:
    return {
        split: {
            name: {
                "precision": round(score.precision, 4),
                "recall": round(score.recall, 4),
                **{k: v for k, v in asdict(score).items() if k not in ("misses", "spurious")},
            }
            for name, score in (("targets", result.targets), ("facts", result.facts))
        }
        for split, result in results.items()
    }
