"""The baseline: fingerprints that survive edits, the file, the plugin's filter, the command,
and flake8 honouring it the same way serially, in parallel and from stdin."""

from __future__ import annotations

import ast
import io
import json
import shutil
import subprocess
import sys
import tokenize
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from flake8_ddd_events.baseline.fingerprint import Fingerprint, Scopes, normal_path, subject
from flake8_ddd_events.baseline.matching import Baseline
from flake8_ddd_events.baseline.store import BaselineError, dumps, read
from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.cli import main
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.plugin import Plugin, all_codes
from flake8_ddd_events.config.settings import Settings

from ..conftest import examples

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
PATH = "shop/sales/domain/events.py"

SOURCE = '''\
"""Sales events."""
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from shop.sales.infrastructure.bus import message_bus


class DomainEvent:
    pass


class AggregateRoot:
    pass


@dataclass
class OrderPlaced(DomainEvent):
    event_id: UUID
    occurred_on: datetime = field(default_factory=datetime.utcnow)
    placed_at: datetime = field(default_factory=datetime.utcnow)
    line_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ShipOrder(DomainEvent):
    event_id: UUID
    occurred_on: datetime


class Order(AggregateRoot):
    def confirm(self) -> None:
        message_bus.publish(OrderPlaced(UUID(int=1), datetime.now()))

    def cancel(self) -> None:
        def notify() -> None:
            message_bus.publish(ShipOrder(UUID(int=2), datetime.now()))
        notify()
'''

# the same module reformatted and rearranged: classes moved, calls and decorators split
# over lines, a docstring and code added elsewhere
REFORMATTED = '''\
"""Sales events.

Rearranged.
"""
from dataclasses import (
    dataclass,
    field,
)
from datetime import datetime
from uuid import UUID

from shop.sales.infrastructure.bus import (
    message_bus,
)


class AggregateRoot:
    pass


class DomainEvent:
    """Base."""


class Order(AggregateRoot):
    def cancel(self) -> None:
        def notify() -> None:
            message_bus.publish(
                ShipOrder(UUID(int=2), datetime.now())
            )

        notify()

    def confirm(self) -> None:
        message_bus.publish(
            OrderPlaced(UUID(int=1), datetime.now()),
        )


@dataclass(
    frozen=True,
)
class ShipOrder(DomainEvent):
    event_id: UUID
    occurred_on: datetime


@dataclass
class OrderPlaced(DomainEvent):
    event_id: UUID
    occurred_on: datetime = field(
        default_factory=datetime.utcnow,
    )
    placed_at: datetime = field(default_factory=datetime.utcnow)
    line_ids: list[str] = field(
        default_factory=list
    )
'''


def reports(source: str, filename: str = PATH) -> list[tuple[int, int, str, type]]:
    """The module's findings as the plugin hands them to flake8."""
    config = Settings.from_values()
    found = check_source(source, filename, config, set(all_codes()), ProjectModel(config),
                         ast.parse(source))
    return [(r.line, r.column, r.message, Plugin) for r in found]


def fingerprints(source: str, path: str = PATH) -> Counter[Fingerprint]:
    scopes = Scopes(ast.parse(source))
    counts: Counter[Fingerprint] = Counter()
    for line, _, message, _ in reports(source):
        code, _, text = message.partition(" ")
        counts[Fingerprint(path, code, scopes.at(line), subject(text))] += 1
    return counts


def baseline_of(counts: Counter[Fingerprint], root: Path) -> Baseline:
    return Baseline(str(root / ".ddd-baseline.json"), counts)


def not_baselined(baseline: Baseline, source: str, root: Path) -> list[str]:
    found = reports(source)
    kept = baseline.not_baselined(found, str(root / PATH), ast.parse(source),
                                  source.splitlines(keepends=True))
    return [message.split()[0] for _, _, message, _ in kept]


# -- fingerprints ------------------------------------------------------------------------

def test_fingerprints_name_scope_and_subject_never_the_line():
    counts = fingerprints(SOURCE)
    assert counts == Counter({
        Fingerprint(PATH, "DDD501", "", "shop.sales.domain.events, shop.sales.infrastructure.bus, "
                                        "*.infrastructure*"): 1,
        Fingerprint(PATH, "DDD101", "OrderPlaced", "OrderPlaced"): 1,
        Fingerprint(PATH, "DDD107", "OrderPlaced",
                    "default factory datetime.utcnow makes naive timestamps"): 2,
        Fingerprint(PATH, "DDD104", "OrderPlaced", "line_ids"): 1,
        Fingerprint(PATH, "DDD102", "ShipOrder", "ShipOrder"): 1,
        Fingerprint(PATH, "DDD301", "Order.confirm", "Order, message_bus.publish()"): 1,
        Fingerprint(PATH, "DDD301", "Order.cancel.notify", "Order, message_bus.publish()"): 1,
    })


def test_fingerprints_survive_reformatting_and_moves():
    assert fingerprints(REFORMATTED) == fingerprints(SOURCE)


def _statement_starts(source: str) -> list[int]:
    """0-based indexes of the lines where a statement starts: a blank line or a comment
    line may go before each of them without changing the code."""
    starts, at_start = set(), True
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT, tokenize.INDENT,
                          tokenize.DEDENT, tokenize.ENCODING):
            at_start = at_start or token.type == tokenize.NEWLINE
            continue
        if at_start and token.type != tokenize.ENDMARKER:
            starts.add(token.start[0] - 1)
        at_start = False
    return sorted(starts)


STARTS = _statement_starts(SOURCE)
INSERTS = st.lists(st.tuples(st.sampled_from(STARTS),
                             st.sampled_from(["", "# a comment", "    # indented note",
                                              "        ", "\t# tab"])),
                   min_size=1, max_size=12)


def _insert(source: str, inserts: list[tuple[int, str]]) -> str:
    lines = source.splitlines(keepends=True)
    for index, text in sorted(inserts, reverse=True):
        lines.insert(index, text + "\n")
    return "".join(lines)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(INSERTS)
def test_fingerprints_survive_inserted_blank_lines_and_comments(tmp_path_factory, inserts):
    edited = _insert(SOURCE, inserts)
    assert edited != SOURCE
    assert fingerprints(edited) == fingerprints(SOURCE)
    root = tmp_path_factory.getbasetemp()
    assert not_baselined(baseline_of(fingerprints(SOURCE), root), edited, root) == []


def test_subject_is_the_quoted_names_of_the_first_clause():
    assert subject("the events recorded on 'order' are handed to 'bus.dispatch' after the "
                   "'.commit()' above: their handlers' changes miss it; dispatch them") \
        == "order, bus.dispatch, .commit()"
    assert subject("integration event 'Big' carries 16 payload fields (at most 12); "
                   "every field is a promise") == "Big"
    # no quoted name: the clause itself, its numbers masked
    assert subject("libcst cannot read the file: Syntax Error @ 3:7;  x") \
        == "libcst cannot read the file: Syntax Error @ #:#"


def test_scope_is_the_innermost_class_or_function_around_the_line():
    scopes = Scopes(ast.parse(
        "x = 1\n"             # 1
        "@decorate\n"         # 2
        "class A:\n"          # 3
        "    y = 2\n"         # 4
        "    def f(self):\n"  # 5
        "        pass\n"      # 6
        "    z = 3\n"         # 7
        "async def g():\n"    # 8
        "    class B:\n"      # 9
        "        pass\n"))    # 10
    assert [scopes.at(n) for n in range(1, 11)] == [
        "", "A", "A", "A", "A.f", "A.f", "A", "g", "g.B", "g.B"]


def test_paths_are_normalised_with_slashes():
    assert normal_path("./shop\\sales\\domain/events.py") == "shop/sales/domain/events.py"


# -- the plugin's filter ------------------------------------------------------------------

def test_a_new_instance_in_the_same_place_is_reported(tmp_path):
    baseline = baseline_of(fingerprints(SOURCE), tmp_path)
    assert not_baselined(baseline, SOURCE, tmp_path) == []
    # a third naive default factory in OrderPlaced: the entry counts two
    more = SOURCE.replace("    line_ids:", "    shipped_at: datetime = field(default_factory="
                                           "datetime.utcnow)\n    line_ids:")
    assert not_baselined(baseline, more, tmp_path) == ["DDD107"]
    # another mutable field of the same event is another subject
    tags = "    tags: list[str] = field(default_factory=list)\n"
    other = SOURCE.replace("    line_ids:", tags + "    line_ids:")
    assert not_baselined(baseline, other, tmp_path) == ["DDD104"]


def test_an_entry_baselines_at_most_its_count(tmp_path):
    counts = fingerprints(SOURCE)
    naive = next(f for f in counts if f.code == "DDD107")
    counts[naive] = 1
    assert not_baselined(baseline_of(counts, tmp_path), SOURCE, tmp_path) == ["DDD107"]
    del counts[naive]
    assert not_baselined(baseline_of(counts, tmp_path), SOURCE, tmp_path) == ["DDD107", "DDD107"]


def test_other_files_and_moved_code_are_not_baselined(tmp_path):
    baseline = baseline_of(fingerprints(SOURCE, "shop/sales/domain/other.py"), tmp_path)
    assert len(not_baselined(baseline, SOURCE, tmp_path)) == 8
    moved = SOURCE.replace("    def confirm(self) -> None:\n        message_bus",
                           "    def place(self) -> None:\n        message_bus")
    assert not_baselined(baseline_of(fingerprints(SOURCE), tmp_path), moved, tmp_path) == ["DDD301"]


def test_a_finding_silenced_by_noqa_takes_no_count(tmp_path):
    counts = fingerprints(SOURCE)
    naive = next(f for f in counts if f.code == "DDD107")
    counts[naive] = 1
    # the first naive factory is silenced inline: flake8 drops it, and the entry baselines
    # the second one
    silenced = SOURCE.replace("datetime.utcnow)\n    placed_at", "datetime.utcnow)  # noqa: DDD107"
                                                                 "\n    placed_at")
    found = reports(silenced)
    kept = baseline_of(counts, tmp_path).not_baselined(found, str(tmp_path / PATH), ast.parse(silenced),
                                                       silenced.splitlines(keepends=True))
    assert [(line, m.split()[0]) for line, _, m, _ in kept] == [(20, "DDD107")]


# -- the file -----------------------------------------------------------------------------

def test_the_file_is_sorted_stable_and_read_back(tmp_path):
    counts = fingerprints(SOURCE)
    text = dumps(counts)
    assert text == dumps(Counter(dict(reversed(list(counts.items())))))
    assert text.startswith('{\n  "format": 1,\n  "entries": [\n    {"path": ')
    lines = text.splitlines()[3:-2]
    assert len(lines) == len(counts) and lines == sorted(lines)
    path = tmp_path / "b.json"
    path.write_text(text)
    assert read(str(path)) == counts
    assert dumps(Counter()) == '{\n  "format": 1,\n  "entries": []\n}\n'


def test_windows_separators_in_the_file_are_accepted(tmp_path):
    path = tmp_path / ".ddd-baseline.json"
    entries = [{**f._asdict(), "path": f.path.replace("/", "\\"), "count": n}
               for f, n in fingerprints(SOURCE).items()]
    path.write_text(json.dumps({"format": 1, "entries": entries}))
    assert read(str(path)) == fingerprints(SOURCE)
    assert not_baselined(Baseline(str(path), read(str(path))), SOURCE, tmp_path) == []


@pytest.mark.parametrize("text, said", [
    ('{"format": 1, "entries": [', "is not valid JSON (line 1, column 27"),
    ('{"format": 3, "entries": []}', "has format 3, newer than this flake8-ddd-events reads"),
    ('{"entries": []}', "is not a flake8-ddd-events baseline"),
    ('{"format": 1, "entries": [{"path": "a.py", "code": "DDD101", "scope": "", '
     '"subject": "A", "count": 0}]}', "entry 1 of the baseline"),
    ('{"format": 1, "entries": [{"path": "a.py", "code": "DDD101", "subject": "A", '
     '"count": 1}]}', "has no text 'scope'"),
])
def test_a_bad_file_is_refused_naming_it(tmp_path, text, said):
    path = tmp_path / "baselined.json"
    path.write_text(text)
    with pytest.raises(BaselineError) as error:
        read(str(path))
    assert str(path) in str(error.value) and said in str(error.value)


# -- the command, and flake8 ----------------------------------------------------------------

@pytest.fixture
def shop(tmp_path, monkeypatch):
    """A copy of the example project, as the current directory."""
    shutil.copytree(EXAMPLES / "shop", tmp_path / "shop")
    (tmp_path / ".flake8").write_text("[flake8]\nselect = DDD\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def flake8(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flake8", *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120)


def entries(root: Path) -> list[dict]:
    return json.loads((root / ".ddd-baseline.json").read_text())["entries"]


def test_the_command_records_what_flake8_reports(shop, capsys):
    reported = flake8(shop, ".").stdout.splitlines()
    assert len(reported) > 20
    assert main(["baseline"]) == 0
    baselined = entries(shop)
    assert sum(e["count"] for e in baselined) == len(reported)
    assert {e["path"] for e in baselined} == {line.split(":")[0].removeprefix("./")
                                              for line in reported}
    first = (shop / ".ddd-baseline.json").read_bytes()
    assert main(["baseline"]) == 0
    assert (shop / ".ddd-baseline.json").read_bytes() == first
    assert "findings baselined" in capsys.readouterr().out


def test_the_command_leaves_out_what_noqa_and_per_file_ignores_silence(shop):
    events = shop / "shop/sales/domain/events.py"
    events.write_text(events.read_text().replace("skus: list[Sku]", "skus: list[Sku]  # noqa"))
    (shop / ".flake8").write_text("[flake8]\nselect = DDD\nper-file-ignores = "
                                  "shop/billing/*: DDD1\n")
    assert main(["baseline"]) == 0
    baselined = entries(shop)
    assert not [e for e in baselined if e["path"] == "shop/sales/domain/events.py"
                and e["code"] == "DDD104"]
    assert not [e for e in baselined if e["path"].startswith("shop/billing/")
                and e["code"].startswith("DDD1")]
    assert [e for e in baselined if e["path"].startswith("shop/billing/")]


@pytest.mark.parametrize("jobs", ["1", pytest.param("2", marks=pytest.mark.slow)])
def test_flake8_reports_only_what_is_not_baselined(shop, jobs):
    assert main(["baseline"]) == 0
    assert flake8(shop, "-j", jobs, ".").stdout == ""
    # a new finding in a baselined place, and one elsewhere
    events = shop / "shop/sales/domain/events.py"
    events.write_text("\n\n# moved down\n" + events.read_text().replace(
        "    skus: list[Sku]", "    skus: list[Sku]\n    bins: list[Sku] = field(default_factory=list)"))
    result = flake8(shop, "-j", jobs, ".")
    assert [line.split(": ", 1)[1].split()[0] for line in result.stdout.splitlines()] == ["DDD104"]
    assert "'bins'" in result.stdout and result.returncode == 1
    everything = flake8(shop, "-j", jobs, "--ddd-baseline=none", ".")
    assert len(everything.stdout.splitlines()) == sum(e["count"] for e in entries(shop)) + 1


def test_flake8_honours_it_from_stdin(shop):
    assert main(["baseline"]) == 0
    path = "shop/sales/domain/events.py"
    buffer = (shop / path).read_text()
    assert flake8(shop, "--stdin-display-name", path, "-", stdin=buffer).stdout == ""
    typed = "\n# typing\n" + buffer.replace("    skus: list[Sku]",
                                            "    skus: list[Sku]\n    bins: list[Sku]")
    result = flake8(shop, "--stdin-display-name", path, "-", stdin=typed)
    assert result.stdout.count("DDD104") == 1 and "'bins'" in result.stdout
    # without the display name the buffer is another file: nothing of it is baselined
    assert "DDD104" in flake8(shop, "-", stdin=buffer).stdout


@pytest.mark.slow  # flake8 processes, several
def test_flake8_honours_a_file_written_on_windows(shop):
    assert main(["baseline"]) == 0
    baseline = shop / ".ddd-baseline.json"
    baseline.write_text(baseline.read_text().replace("shop/", "shop\\\\"))
    assert '"shop\\\\sales' in baseline.read_text()
    assert flake8(shop, ".").stdout == ""


@pytest.mark.slow  # flake8 processes, several
def test_a_baseline_named_by_the_option_is_relative_to_its_folder(shop):
    (shop / ".flake8").write_text("[flake8]\nselect = DDD\nddd-baseline = ci/baselined.json\n")
    (shop / "ci").mkdir()
    assert main(["baseline"]) == 0
    assert not (shop / ".ddd-baseline.json").exists()
    assert json.loads((shop / "ci/baselined.json").read_text())["entries"][0]["path"].startswith("../shop/")
    assert flake8(shop, ".").stdout == ""


@pytest.mark.parametrize("text, said", [
    ("{not json", "is not valid JSON"),
    ('{"format": 2, "entries": []}', "has format 2, newer than this flake8-ddd-events reads"),
])
def test_flake8_stops_at_start_up_on_a_bad_baseline(shop, text, said):
    (shop / ".ddd-baseline.json").write_text(text)
    result = flake8(shop, ".")
    assert result.returncode == 1 and "critical error" in result.stdout
    assert f"{shop / '.ddd-baseline.json'}" in result.stdout and said in result.stdout
    assert ": DDD" not in result.stdout  # nothing was checked


def test_check_and_update(shop, capsys):
    assert main(["baseline", "--check"]) == 0  # no baseline: nothing is baselined
    assert main(["baseline", "--update"]) == 2
    assert main(["baseline"]) == 0
    before = entries(shop)
    assert main(["baseline", "--check"]) == 0
    assert "every baselined finding still occurs" in capsys.readouterr().out
    events = shop / "shop/sales/domain/events.py"
    # DDD104 on 'skus' fixed, and a new finding (not to be added by --update)
    events.write_text(events.read_text().replace("skus: list[Sku]", "skus: tuple[Sku, ...]")
                      .replace("class ShipOrder", "class ShipOrderNow"))
    assert main(["baseline", "--check"]) == 1
    out = capsys.readouterr()
    assert out.out == ("shop/sales/domain/events.py: DDD102 ShipOrder in ShipOrder: "
                       "baselined 1, found 0\n"
                       "shop/sales/domain/events.py: DDD104 skus in OrderItemsRemoved: "
                       "baselined 1, found 0\n")
    assert "run `ddd-events baseline --update`" in out.err
    assert main(["baseline", "--update"]) == 0
    after = entries(shop)
    assert [e for e in before if e not in after] == [
        e for e in before if e["path"] == "shop/sales/domain/events.py"
        and e["code"] in ("DDD102", "DDD104") and e["subject"] in ("skus", "ShipOrder")]
    assert len(after) == len(before) - 2  # ShipOrderNow was not added
    assert main(["baseline", "--check"]) == 0
    assert main(["baseline"]) == 0
    assert {e["subject"] for e in entries(shop) if e["code"] == "DDD102"} >= {"ShipOrderNow"}


def test_update_lowers_a_count(shop):
    legacy = shop / "shop/sales/domain/legacy_events.py"
    source = legacy.read_text()
    assert main(["baseline"]) == 0
    baselined = {(e["path"], e["code"], e["scope"], e["subject"]): e["count"] for e in entries(shop)}
    key = next(k for k in baselined if k[1] == "DDD107" and k[0].endswith("legacy_events.py"))
    doubled = json.loads((shop / ".ddd-baseline.json").read_text())
    for entry in doubled["entries"]:
        if (entry["path"], entry["code"], entry["scope"], entry["subject"]) == key:
            entry["count"] = 3
    (shop / ".ddd-baseline.json").write_text(json.dumps(doubled))
    assert main(["baseline", "--check"]) == 1
    assert main(["baseline", "--update"]) == 0
    assert {(e["path"], e["code"], e["scope"], e["subject"]): e["count"]
            for e in entries(shop)}[key] == baselined[key]
    assert legacy.read_text() == source


@pytest.mark.slow  # flake8 processes, several
def test_only_the_checked_files_are_compared(shop):
    assert main(["baseline"]) == 0
    before = entries(shop)
    events = shop / "shop/sales/domain/events.py"
    events.write_text(events.read_text().replace("skus: list[Sku]", "skus: tuple[Sku, ...]"))
    # checking billing alone says nothing about sales
    assert main(["baseline", "--check", "shop/billing"]) == 0
    assert main(["baseline", "shop/billing"]) == 0
    assert entries(shop) == before
    # a file flake8 cannot parse keeps its entries (status 2 says it was not checked);
    # a deleted file's entries are stale
    events.write_text("def broken(:\n")
    (shop / "shop/billing/integration_events.py").unlink()
    assert main(["baseline", "--update"]) == 2
    after = entries(shop)
    assert [e for e in after if e["path"] == "shop/sales/domain/events.py"] == \
        [e for e in before if e["path"] == "shop/sales/domain/events.py"]
    assert not [e for e in after if e["path"] == "shop/billing/integration_events.py"]
    assert [e for e in before if e["path"] == "shop/billing/integration_events.py"]


def test_the_command_stops_on_a_bad_baseline_or_option(shop, capsys):
    (shop / ".ddd-baseline.json").write_text("[]")
    assert main(["baseline", "--check"]) == 2
    assert ".ddd-baseline.json is not a flake8-ddd-events baseline" in capsys.readouterr().err
    (shop / ".flake8").write_text("[flake8]\nddd-baseline = none\n")
    assert main(["baseline"]) == 2
    assert "ddd-baseline is 'none'" in capsys.readouterr().err


@pytest.mark.slow  # flake8 processes, several
def test_the_cache_keeps_the_findings_and_the_baseline_filters_them(shop):
    assert main(["baseline"]) == 0
    baselined = sum(e["count"] for e in entries(shop))
    assert flake8(shop, ".").stdout == ""
    assert (shop / ".ddd_events_cache").is_dir()
    # answered from the cache, the findings are filtered by the baseline as it is now
    (shop / ".ddd-baseline.json").write_text(dumps(Counter()))
    assert len(flake8(shop, ".").stdout.splitlines()) == baselined
    assert main(["baseline"]) == 0
    assert flake8(shop, ".").stdout == ""


def test_the_baseline_is_no_part_of_the_cache_key():
    from flake8_ddd_events.cache.keys import run_key

    plain = Settings.from_values()
    named = Settings.from_values({"ddd-baseline": "ci/baselined.json"})
    assert run_key(named, "/repo", "DDD") == run_key(plain, "/repo", "DDD")
    other = Settings.from_values({"ddd-max-integration-fields": "3"})
    assert run_key(other, "/repo", "DDD") != run_key(plain, "/repo", "DDD")
