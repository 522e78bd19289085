"""The benchmark's figures: one table printed and written to BENCHMARKS.md with the machine and commit."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

PEERS = "Ratios to peers measured in the same run"


@dataclass(frozen=True)
class Row:
    """One figure, with its target when it has one."""

    what: str
    value: float
    unit: str
    target: float | None = None
    higher_is_better: bool = False

    @property
    def met(self) -> bool | None:
        """Whether the target is met (None: no target)."""
        if self.target is None:
            return None
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def cells(self) -> list[str]:
        """What, value, target, verdict as table cells."""
        value = f"{self.value:,.3g}" if abs(self.value) < 100 else f"{self.value:,.0f}"
        target = "" if self.target is None else ("≥ " if self.higher_is_better else "≤ ") + f"{self.target:g}"
        verdict = {None: "", True: "met", False: "MISSED"}[self.met]
        return [self.what, f"{value} {self.unit}", target, verdict]


@dataclass
class Report:
    """Figures by section, growth ratios and notes."""

    mode: str
    sections: dict[str, list[Row]] = field(default_factory=dict)
    ratios: list[tuple[str, float, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    load_before: tuple[float, float, float] = field(default_factory=os.getloadavg)

    def add(self, section: str, row: Row) -> Row:
        """Add a figure."""
        self.sections.setdefault(section, []).append(row)
        return row

    def peer(self, what: str, value: float, target: float | None = None, *, higher_is_better: bool = False) -> Row:
        """A ratio of two figures measured in this same run (holds on a noisy machine)."""
        return self.add(PEERS, Row(what, value, "×", target, higher_is_better))

    def ratio(self, what: str, big: float, small: float, expected: str) -> None:
        """Record how a figure grows between two sizes."""
        self.ratios.append((what, big / small if small else float("nan"), expected))

    def table(self) -> str:
        """The figures as aligned plain text."""
        lines = []
        for section, rows in self.sections.items():
            lines.append(f"\n{section}")
            lines += [f"  {c[0]:<64} {c[1]:>18}  {c[2]:>8}  {c[3]}" for c in (r.cells() for r in rows)]
        lines.append("\ngrowth")
        lines += [f"  {what:<64} {value:>16.2f}×  ({expected})" for what, value, expected in self.ratios]
        return "\n".join(lines)

    def markdown(self) -> str:
        """BENCHMARKS.md: machine, figures, growth, notes."""
        out = ["# Benchmarks", "", *machine_lines(self.load_before), f"- mode: {self.mode}", "",
               "Reproduce with `.venv/bin/aspirasi bench` (`--quick` for a smaller run in under 2 minutes).", ""]
        for section, rows in self.sections.items():
            out += [f"## {section}", "", "| figure | value | target | |", "|---|---:|---:|---|"]
            out += ["| " + " | ".join(r.cells()) + " |" for r in rows]
            out.append("")
        out += ["## How cost grows", "", "| ratio | value | linear would be |", "|---|---:|---|"]
        out += [f"| {what} | {value:.2f}× | {expected} |" for what, value, expected in self.ratios]
        out += ["", "## Notes", "", *[f"- {n}" for n in self.notes], ""]
        return "\n".join(out)

    def missed(self) -> list[Row]:
        """Figures that missed their target."""
        return [r for rows in self.sections.values() for r in rows if r.met is False]


def machine_lines(load_before: tuple[float, float, float]) -> list[str]:
    """Date, commit, cores, CPU and load average as Markdown list items."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.2f}" for x in load_before)
    after = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [f"- date: {now}", f"- commit: {git_commit()}",
            f"- machine: {os.cpu_count()} cores, {cpu_model()}, Python {platform.python_version()}",
            f"- load average (1, 5, 15 min): {load} before the run, {after} after"]


def git_commit() -> str:
    """The checked-out commit, marked when the tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" (with uncommitted changes)" if dirty else "")


def cpu_model() -> str:
    """The CPU's model name (Linux), else the platform's processor string."""
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown CPU"
