"""Hard inputs: odd syntax and odd bytes give no exception and a sensible answer.

The reference is ``EVENT``, a mutable event with a list field: wherever a hard input
wraps it, the findings must be exactly those of the plain event, moved by the lines
the wrapping adds. Inputs that Python compiles but libcst cannot read give one DDD000
naming the reason; inputs Python itself rejects give E999 from flake8 and nothing from
the plugin.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flake8_ddd_events.lint.pipeline import check_source
from flake8_ddd_events.model.project_model import ProjectModel
from flake8_ddd_events.plugin import all_codes
from flake8_ddd_events.config.settings import Settings

from ..conftest import findings

FILE = "shop/sales/domain/events.py"  # domain layer, an event module: every rule looks

EVENT = textwrap.dedent("""\
    from dataclasses import dataclass


    @dataclass
    class OrderPlaced:
        order_id: str
        line_ids: list[str]
""")
BASELINE = findings(EVENT, FILE)
CLASS_LINE, FIELD_LINE = 5, 7


def shifted(lines: int) -> list[tuple[int, str]]:
    return [(line + lines, code) for line, code in BASELINE]


def messages(source: str, filename: str = FILE) -> list[str]:
    settings = Settings.from_values({"ddd-source-roots": ["."]})
    return [r.message for r in check_source(source, filename, settings, set(all_codes()),
                                            ProjectModel(settings))]


def test_the_baseline_is_a_mutable_event_with_a_list_field():
    assert (CLASS_LINE, "DDD101") in BASELINE
    assert (FIELD_LINE, "DDD104") in BASELINE
    assert all(code != "DDD000" for _, code in BASELINE)


# -- text that wraps the event: same findings, shifted ---------------------------------
WRAPPED = {
    "byte order mark": ("\ufeff" + EVENT, 0),
    "CRLF line endings": (EVENT.replace("\n", "\r\n"), 0),
    "mixed line endings": (EVENT.replace("dataclass\n", "dataclass\r\n", 1)
                           .replace("str\n", "str\r", 1), 0),
    "form feed on its own line": ("\x0c\n" + EVENT, 1),
    "form feed at a line start": (EVENT.replace("@dataclass", "\x0c@dataclass"), 0),
    "form feed before indentation": (EVENT.replace("    line_ids", "\x0c    line_ids"), 0),
    "tabs for indentation": (EVENT.replace("    ", "\t"), 0),
    "latin-1 coding cookie (decoded)": ("# -*- coding: latin-1 -*-\nCAFE = 'caf\xe9'\n" + EVENT, 2),
    "backslash continuations": (EVENT.replace("from dataclasses import", "from dataclasses \\\n import"), 1),
    "no newline at the end": (EVENT.rstrip("\n"), 0),
    "match statement": (EVENT + textwrap.dedent("""\


        def describe(event):
            match event:
                case OrderPlaced(order_id=oid, line_ids=[first, *rest]) if rest:
                    return oid, first
                case {"kind": "placed", **extra}:
                    return extra
                case [1, 2] | (3 | 4) as number:
                    return number
                case _:
                    return None
    """), 0),
    "async comprehensions": (EVENT + textwrap.dedent("""\


        async def collect(source):
            items = [x async for x in source if await x]
            pairs = {k: v async for k, v in source}
            return items, pairs, (y async for y in source)
    """), 0),
    "except star and walrus": (EVENT + textwrap.dedent("""\


        def handle(raw):
            try:
                if (n := len(raw)) > 1:
                    return n
            except* ValueError:
                pass
    """), 0),
    "a very long file (20 000 lines before the event)": ("VALUE = 1\n" * 20_000 + EVENT, 20_000),
}


@pytest.mark.parametrize("name", [pytest.param(name, marks=pytest.mark.slow) if "very long" in name else name
                                  for name in WRAPPED])
def test_wrapped_event_gives_the_same_findings(name):
    source, added_lines = WRAPPED[name]
    assert findings(source, FILE) == shifted(added_lines)


# -- decorators of every shape (PEP 614) ------------------------------------------------
DECORATORS = {
    # shape -> whether the event is still known to be mutable (DDD101)
    "@dataclass": True,
    "@dataclasses.dataclass": True,
    "@(dataclass)": True,
    "@buttons[0].clicked.connect\n@dataclass": True,
    "@(lambda cls: cls)\n@dataclass": True,
    "@dataclass\n@registry.register(name='x')(version=2)": True,
    "@dataclass(frozen=True)": False,
    "@(dataclass(frozen=True))": False,
    "@(lambda cls: cls)\n@dataclass(frozen=True)": False,
    "@dataclass(frozen=True)\n@buttons[0].clicked.connect": False,
    # frozen-ness decided at run time: unknown, so no claim that the event can change
    "@dataclass(frozen=FROZEN)": False,
    "@dataclass(frozen=1)": False,
    "@dataclass(**OPTIONS)": False,
    # not a dataclass we can read at all
    "@decorators[0](frozen=True)": None,
    "@dataclass if DEBUG else attrs.frozen": None,
    "@a.b.c(d)(e)": None,
}


@pytest.mark.parametrize("decorators", DECORATORS)
def test_decorators_of_every_shape(decorators):
    source = EVENT.replace("@dataclass", "import dataclasses\n" + decorators)
    found = findings(source, FILE)
    codes = {code for _, code in found}
    assert "DDD000" not in codes
    class_line = source.splitlines().index("class OrderPlaced:") + 1
    assert all(1 <= line <= len(source.splitlines()) for line, _ in found)
    mutable = DECORATORS[decorators]
    if mutable is not None:
        assert ((class_line, "DDD101") in found) is mutable
        assert (class_line + 2, "DDD104") in found  # the list field, whatever the decorator


def test_pep_695_generic_event_and_type_alias():
    # Python 3.11 cannot compile PEP 695 (flake8 reports E999 there, see below); libcst can,
    # and the plugin reads such a file like any other.
    source = textwrap.dedent("""\
        from dataclasses import dataclass

        type LineIds = list[str]


        class DomainEvent:
            pass


        @dataclass
        class OrderPlaced[T: (str, bytes), *Ts, **P](DomainEvent):
            order_id: T
            line_ids: list[T]


        def first[T](items: list[T]) -> T:
            return items[0]
    """)
    found = findings(source, FILE)
    assert (11, "DDD101") in found
    assert (13, "DDD104") in found
    assert "DDD000" not in {code for _, code in found}


def test_deeply_nested_classes():
    depth = 90  # Python allows 99 levels of indentation
    lines = ["from dataclasses import dataclass", ""]
    for level in range(depth):
        lines.append(" " * level + f"class Level{level}:")
    inner = " " * depth
    lines += [inner + "class DomainEvent:", inner + "    pass",
              inner + "@dataclass", inner + "class OrderPlaced(DomainEvent):",
              inner + "    line_ids: list[str]"]
    source = "\n".join(lines) + "\n"
    compile(source, FILE, "exec")
    found = findings(source, FILE)
    assert (len(lines), "DDD104") in found
    assert "DDD000" not in {code for _, code in found}


def test_many_events_in_one_file_each_reported_once():
    source = "from dataclasses import dataclass\n" + "".join(
        f"\n\n@dataclass\nclass Order{n}Placed:\n    order_id: str\n    line_ids: list[str]\n"
        for n in range(300))
    found = findings(source, FILE)
    assert sum(code == "DDD104" for _, code in found) == 300
    assert found == sorted(set(found))


@pytest.mark.parametrize("source", ["", "\n", "   \n\t\n", "# only a comment\n",
                                    "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n# notes\n",
                                    "\ufeff", "\x0c", '"""Only a docstring."""\n'])
def test_empty_and_comment_only_files_give_nothing(source):
    assert findings(source, FILE) == []


# -- what libcst cannot read: one DDD000 naming the reason ----------------------------
UNREADABLE = {
    # Python compiles these; libcst does not.
    "parenthesised annotated target": ("(pending): bool = True\n" + EVENT, "libcst cannot parse this file"),
}


def test_3000_implicitly_concatenated_strings_are_read_like_the_plain_file():
    # libcst parses the deep ConcatenatedString chain; collect walks it with a stack, not
    # by recursion, so it is no longer "nested too deeply"
    source = "TEXT = (\n" + "\n".join(f"    'part{i}'" for i in range(3000)) + "\n)\n" + EVENT
    compile(source, FILE, "exec")
    assert findings(source, FILE) == shifted(3002)


@pytest.mark.parametrize("name", UNREADABLE)
def test_syntax_libcst_rejects_gives_ddd000_naming_the_reason(name):
    source, reason = UNREADABLE[name]
    compile(source, FILE, "exec")  # valid Python
    found = messages(source)
    assert len(found) == 1
    assert found[0].startswith("DDD000 ") and reason in found[0]
    assert findings(source, FILE, codes=["DDD101", "DDD104"]) == []  # DDD000 not selected: silence


def test_errors_inside_libcst_become_ddd000(monkeypatch):
    import libcst

    # a lone surrogate (no file decodes to one; a caller could pass it): the native parser
    # fails to encode it and raises a bare UnicodeEncodeError
    assert messages("NAME = '\udc80'\n" + EVENT)[0].startswith(
        "DDD000 libcst cannot parse this file: UnicodeEncodeError")

    def too_deep(source):
        raise RecursionError

    monkeypatch.setattr(libcst, "parse_module", too_deep)
    assert messages(EVENT) == ["DDD000 libcst cannot parse this file: it is nested too deeply"]


@pytest.mark.parametrize("source", [
    "class Broken(:\n    x: list[int]\n",
    "print 'python 2'\n",
    "x = 1\x00\n",
    "def f(:\n",
    "".join(" " * level + f"class C{level}:\n" for level in range(100)) + " " * 100 + "pass\n",
])
def test_syntax_errors_in_check_source_are_ddd000_not_exceptions(source):
    # Through flake8 these never reach the plugin (E999, see below); called directly,
    # the checker still answers instead of raising.
    found = messages(source)
    assert len(found) == 1 and found[0].startswith("DDD000 libcst cannot parse this file")


# -- through a real flake8 process: the bytes as flake8 reads them ----------------------
FILES: dict[str, bytes] = {
    "bom.py": b"\xef\xbb\xbf" + EVENT.encode(),
    "crlf.py": EVENT.replace("\n", "\r\n").encode(),
    "mixed.py": EVENT.replace("dataclass\n", "dataclass\r\n", 1).encode(),
    "formfeed.py": ("\x0c\n" + EVENT.replace("    line_ids", "\x0c    line_ids")).encode(),
    "latin1.py": "# -*- coding: latin-1 -*-\nCAFE = 'caf\xe9'\n".encode("latin-1") + EVENT.encode(),
    "tabs.py": EVENT.replace("    ", "\t").encode(),
    "empty.py": b"",
    "comments.py": b"# nothing\n# at all\n",
    "broken.py": b"@dataclass\nclass Broken(:\n    x: list[int]\n",
    "generic.py": EVENT.replace("class OrderPlaced:", "class OrderPlaced[T]:").encode(),
    "paren_target.py": ("(pending): bool = True\n" + EVENT).encode(),
    "long_concat.py": ("TEXT = (\n" + "\n".join(f"    'p{i}'" for i in range(3000)) + "\n)\n").encode(),
}


@pytest.fixture(scope="module")
def flake8_output(tmp_path_factory) -> dict[str, list[tuple[int, str]]]:
    root = tmp_path_factory.mktemp("hard")
    folder = root / "shop" / "sales" / "domain" / "events"
    folder.mkdir(parents=True)
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    result = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "DDD,E9",
                             "."], cwd=root, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.stderr == ""
    found: dict[str, list[tuple[int, str]]] = {name: [] for name in FILES}
    for line in result.stdout.splitlines():
        path, row, _column, message = line.split(":", 3)
        found[Path(path).name].append((int(row), message.split()[0]))
    return found


@pytest.mark.parametrize("name, added_lines", [("bom.py", 0), ("crlf.py", 0), ("mixed.py", 0),
                                               ("formfeed.py", 1), ("latin1.py", 2), ("tabs.py", 0)])
def test_flake8_reads_odd_bytes_like_the_plain_file(flake8_output, name, added_lines):
    assert flake8_output[name] == shifted(added_lines)


def test_flake8_empty_and_comment_files(flake8_output):
    assert flake8_output["empty.py"] == [] and flake8_output["comments.py"] == []


def test_flake8_syntax_error_is_e999_only(flake8_output):
    assert [code for _, code in flake8_output["broken.py"]] == ["E999"]


def test_flake8_pep_695(flake8_output):
    if sys.version_info >= (3, 12):
        assert flake8_output["generic.py"] == BASELINE
    else:  # flake8 cannot compile it on this Python and never calls the plugin
        assert [code for _, code in flake8_output["generic.py"]] == ["E999"]


def test_flake8_libcst_rejects_gives_ddd000(flake8_output):
    assert flake8_output["paren_target.py"] == [(1, "DDD000")]
    assert flake8_output["long_concat.py"] == []  # read and walked: nothing to report
