"""`aspirasi eval --labels`: the reading of vulnerable groups, aid problems and programmes against hand labels.

Each labelled message (tools/data/rentan_labels.md) is redacted as intake redacts it and read by
nlp.beneficiaries, as a cluster's labels are read from its members. Groups are scored on every message; aid
problems and programmes only on the messages labelled as social aid (`bansos`), since the product reads them
only for clusters of the social-aid category. A label passes when its precision and recall are both at least
`GATE` once it has `MIN_SUPPORT` examples; rarer labels are shown but not judged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nlp.beneficiaries import AID_KINDS, GROUPS, PROGRAMMES, Reading, read
from nlp.evaluation import LabelScore, label_scores
from nlp.redact import redact
from services.core.config import AppConfig
from services.intake.grouping import teach_redactor

GATE = 0.85
MIN_SUPPORT = 10
FIELDS = {"rentan": GROUPS, "bansos_masalah": AID_KINDS, "bansos_program": PROGRAMMES}


def read_label_rows(path: Path) -> list[dict[str, Any]]:
    """Read hand-labelled lines (`text`, `rentan`, `bansos_masalah`, `bansos_program`, optional `bansos`)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for number, row in enumerate(rows, 1):
        if not isinstance(row.get("text"), str):
            raise ValueError(f"{path}:{number}: each line needs 'text'")
        for field, allowed in FIELDS.items():
            values = row.setdefault(field, [])
            if not isinstance(values, list) or not set(values) <= set(allowed):
                raise ValueError(f"{path}:{number}: '{field}' must be a list of {', '.join(allowed)}")
        row.setdefault("bansos", bool(row["bansos_masalah"] or row["bansos_program"]))
    return rows


@dataclass(frozen=True)
class LabelReport:
    """Per-label scores of the reading on one labelled set (or several pooled)."""

    name: str
    n: int
    aid_n: int  # messages labelled as social aid: the ones aid problems and programmes are scored on
    scores: list[tuple[str, LabelScore]]  # (field, score) in the order of FIELDS and of each list

    def failing(self) -> list[str]:
        """The labels with at least MIN_SUPPORT examples whose precision or recall is below GATE."""
        return [s.label for _, s in self.scores if s.support >= MIN_SUPPORT
                and min(s.precision or 0.0, s.recall or 0.0) < GATE]

    def lines(self) -> list[str]:
        """A table of the labels, then the judgement."""
        out = [f"labels {self.name}: {self.n} messages, {self.aid_n} on social aid",
               f"{'field':<15}{'label':<17}{'support':>8}{'read':>6}{'precision':>11}{'recall':>8}{'F1':>7}"]
        for field, s in self.scores:
            out.append(f"{field:<15}{s.label:<17}{s.support:>8}{s.predicted:>6}{_figure(s.precision):>11}"
                       f"{_figure(s.recall):>8}{_figure(s.f1):>7}")
        judged = sum(s.support >= MIN_SUPPORT for _, s in self.scores)
        failing = self.failing()
        out.append(f"labels with >= {MIN_SUPPORT} examples: {judged}; precision and recall >= {GATE}: "
                   + ("all" if not failing else f"not {', '.join(failing)}"))
        return out


def _figure(value: float | None) -> str:
    """A score with three decimals, or "-" when undefined."""
    return "-" if value is None else f"{value:.3f}"


def _values(reading: Reading, field: str) -> frozenset[str]:
    """The values a reading gives one field."""
    return {"rentan": reading.groups, "bansos_masalah": reading.aid_kinds,
            "bansos_program": reading.programmes}[field]


def evaluate_labels(config: AppConfig, rows: list[dict[str, Any]], name: str) -> LabelReport:
    """Read every labelled message (redacted as intake does) and score each label against the hand labels."""
    teach_redactor(config)
    readings = [read(redact(row["text"])) for row in rows]
    scores: list[tuple[str, LabelScore]] = []
    for field, labels in FIELDS.items():
        chosen = [i for i, row in enumerate(rows) if field == "rentan" or row["bansos"]]
        truth = [set(rows[i][field]) for i in chosen]
        scores += [(field, s) for s in label_scores(truth, [_values(readings[i], field) for i in chosen], labels)]
    return LabelReport(name, len(rows), sum(bool(row["bansos"]) for row in rows), scores)
