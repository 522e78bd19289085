"""The reading of vulnerable groups and aid problems scored against hand labels (`aspirasi eval --labels`)."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from nlp.evaluation import LabelScore
from services.core.config import AppConfig
from services.intake.label_evaluation import LabelReport, evaluate_labels, read_label_rows

# Five messages whose hand labels give each count below; r2's "lansia" is a deliberate miss (no old person is
# named), and r3's "telat" reads as a payment problem although r3 is no social-aid message.
ROOT = Path(__file__).resolve().parents[3]
FIXTURE = ROOT / "tests" / "fixtures" / "rentan_small.jsonl"


def _score(report: LabelReport, field: str, label: str) -> LabelScore:
    return next(s for f, s in report.scores if f == field and s.label == label)


def test_each_label_is_counted_and_aid_labels_only_on_social_aid_messages(config: AppConfig) -> None:
    report = evaluate_labels(config, read_label_rows(FIXTURE), "small")
    assert (report.n, report.aid_n) == (5, 2)
    perempuan, lansia = _score(report, "rentan", "perempuan"), _score(report, "rentan", "lansia")
    assert (perempuan.support, perempuan.predicted, perempuan.correct) == (1, 1, 1)
    assert (lansia.support, lansia.predicted, lansia.recall) == (1, 0, 0.0)
    assert _score(report, "rentan", "anak").correct == 1  # "anak sungai" in r4 is no child
    pencairan = _score(report, "bansos_masalah", "pencairan")
    assert (pencairan.support, pencairan.predicted, pencairan.precision) == (1, 1, 1.0)  # r3 is not counted
    assert _score(report, "bansos_program", "pkh").f1 == 1.0


def test_a_label_is_judged_only_from_ten_examples() -> None:
    weak = LabelScore("anak", support=10, predicted=10, correct=8)
    rare = LabelScore("lansia", support=9, predicted=9, correct=1)
    good = LabelScore("nelayan", support=12, predicted=11, correct=11)
    report = LabelReport("x", 40, 0, [("rentan", weak), ("rentan", rare), ("rentan", good)])
    assert report.failing() == ["anak"]
    assert report.lines()[-1] == "labels with >= 10 examples: 2; precision and recall >= 0.85: not anak"


def test_a_label_outside_the_lists_is_refused_with_its_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "a", "rentan": []}\n{"text": "b", "rentan": ["remaja"]}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: 'rentan' must be a list of perempuan"):
        read_label_rows(bad)


def test_eval_command_prints_a_table_per_set_and_pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASPIRASI_CONFIG", str(ROOT / "config.yaml"))
    result = CliRunner().invoke(app, ["eval", "--labels", str(FIXTURE), "--labels", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    heads = [line for line in result.output.splitlines() if " messages, " in line]
    assert heads[0].endswith("rentan_small.jsonl: 5 messages, 2 on social aid")
    assert heads[-1].endswith("rentan_small.jsonl: 10 messages, 4 on social aid")
    rows = [line.split() for line in result.output.splitlines()]
    assert ["rentan", "lansia", "2", "0", "-", "0.000", "-"] in rows


def test_eval_command_needs_a_set() -> None:
    result = CliRunner().invoke(app, ["eval"])
    assert result.exit_code == 2 and "--labels" in result.output


@pytest.mark.parametrize(("labels", "source"), [
    ("rentan_dev.jsonl", "shared:aspirasi_dev.jsonl"), ("rentan_dev2.jsonl", "shared:aspirasi_dev2.jsonl"),
    ("rentan_dev3.jsonl", "aspirasi_dev3.jsonl"), ("rentan_dev4.jsonl", "aspirasi_dev4.jsonl"),
    ("rentan_dev5.jsonl", "aspirasi_dev5.jsonl"), ("rentan_dev6.jsonl", "aspirasi_dev6.jsonl"),
    ("rentan_dev7.jsonl", "aspirasi_dev7.jsonl"),
])
def test_the_hand_labels_follow_their_source_message_by_message(labels: str, source: str, shared_data: Path
                                                                 ) -> None:
    """Each labels file holds every message of its set, in order and with the very same text."""
    folder = shared_data if source.startswith("shared:") else ROOT / "tools" / "data"
    src = [json.loads(line) for line in (folder / source.removeprefix("shared:")).read_text(encoding="utf-8")
           .splitlines() if line.strip()]
    rows = read_label_rows(ROOT / "tools" / "data" / labels)
    assert [(r["id"], r["text"]) for r in rows] == [(r["id"], r["text"]) for r in src]
    assert all(r["bansos"] or not (r["bansos_masalah"] or r["bansos_program"]) for r in rows)
