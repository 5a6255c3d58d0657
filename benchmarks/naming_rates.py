"""Print how the past-tense recogniser scores on the labelled event names.

Run: ``python benchmarks/naming_rates.py`` from the repository root.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flake8_ddd_events.analysis.english import states_past_fact  # noqa: E402

TSV = ROOT / "tests" / "data" / "event_names.tsv"


def load(path: Path = TSV) -> list[tuple[str, str]]:
    """(name, label) rows of the tsv, header skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    return [tuple(line.split("\t")) for line in lines if line.strip()]  # type: ignore[misc]


def rates(rows: list[tuple[str, str]]) -> tuple[int, int, int, int]:
    """(past accepted, past total, not-past rejected, not-past total)."""
    past = [n for n, label in rows if label == "past"]
    other = [n for n, label in rows if label == "not_past"]
    accepted = sum(states_past_fact(n) for n in past)
    rejected = sum(not states_past_fact(n) for n in other)
    return accepted, len(past), rejected, len(other)


def main() -> None:
    accepted, n_past, rejected, n_other = rates(load())
    print(f"past names accepted:     {accepted}/{n_past} = {accepted / n_past:.2%}")
    print(f"not-past names rejected: {rejected}/{n_other} = {rejected / n_other:.2%}")


if __name__ == "__main__":
    main()
