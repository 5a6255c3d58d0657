"""DDD209 per framework, table-driven: the code locked (``before``) and changed (``after``);
each history-breaking change reported at its marked line (``# DDD209``), each readable one
silent. The lock is written by ``ddd-events contracts lock`` as a user would."""

from __future__ import annotations

import pytest

from flake8_ddd_events.cli import main
from flake8_ddd_events.config.settings import Settings

from ..conftest import expected_markers, findings, write_file

ES_FILE = "pets/domain.py"
ES = """\
from dataclasses import field
from eventsourcing.domain import Aggregate, event


class Dog(Aggregate):
    class Registered(Aggregate.Created):
        name: str

    class TrickAdded(Aggregate.Event):
        trick: str
{trick}
    @event("Renamed")
    def rename(self, name: str{rename}) -> None:
        self.name = name
"""


def es(trick: str = "", rename: str = "") -> str:
    return ES.format(trick=trick, rename=rename)


ESOURCING = [
    ("plain default", es("        difficulty: int = 1\n"), True),
    ("no default", es("        difficulty: int  # DDD209\n"), False),
    ("default factory", es("        tags: tuple = field(default_factory=tuple)  # DDD209\n"), False),
    ("retyped", ES.replace("        trick: str\n", "        trick: int  # DDD209\n").format(
        trick="", rename=""), False),
    ("removed: its value stays in the state, unread",
     ES.replace("        trick: str\n", "        pass\n").format(trick="", rename=""), True),
    ("bump with its upcaster", es("""\
        class_version = 2
        difficulty: int

        @staticmethod
        def upcast_v1_v2(state):
            state["difficulty"] = 1
"""), True),
    ("bump without its upcaster", es("        class_version = 2\n").replace(
        "class TrickAdded(Aggregate.Event):", "class TrickAdded(Aggregate.Event):  # DDD209"),
     False),
    ("version 3 with only upcast_v2_v3 after a locked version 1", es("""\
        class_version = 3

        @staticmethod
        def upcast_v2_v3(state):
            pass
""").replace("class TrickAdded(Aggregate.Event):", "class TrickAdded(Aggregate.Event):  # DDD209"),
     False),
    ("version 3 with a complete chain", es("""\
        class_version = 3
        difficulty: int
        style: str

        @staticmethod
        def upcast_v1_v2(state):
            state["difficulty"] = 1

        @staticmethod
        def upcast_v2_v3(state):
            state["style"] = ""
"""), True),
    # the generated event takes the method's annotations, not its defaults (eventsourcing
    # 9.5.6, MetaAggregate._define_event_class): an old event has no 'reason' to fall back on
    ("@event: a parameter with a default", es(rename=", reason: str = ''").replace(
        "-> None:\n        self.name", "-> None:  # DDD209\n        self.name"), False),
    ("@event: a parameter with a default, declared as a class with a plain default",
     ES.replace('    @event("Renamed")\n    def rename(self, name: str{rename})',
                "    class Renamed(Aggregate.Event):\n        name: str\n"
                "        reason: str = ''\n\n"
                "    @event(Renamed)\n    def rename(self, name: str, reason: str = '')").format(
         trick="", rename=""), True),
    ("@event: a parameter without one", es(rename=", reason: str").replace(
        "-> None:\n        self.name", "-> None:  # DDD209\n        self.name"), False),
    ("@event: a parameter retyped", ES.replace("name: str{rename}", "name: int{rename}").format(
        trick="", rename="").replace("-> None:\n        self.name",
                                     "-> None:  # DDD209\n        self.name"), False),
    ("an unrelated method", es() + "\n    def bark(self) -> None:\n        pass\n", True),
]


PR_FILE = "shop/orders/events.py"
PR = """\
from protean import Domain

shop = Domain(name="Shop")


@shop.event(part_of="Order")
class OrderPlaced:
{version}    order_id: str
    total: int
{more}
"""


def pr(version: str = "", more: str = "") -> str:
    return PR.format(version=version, more=more)


UPCASTER = """

@shop.upcaster(event_type=OrderPlaced, from_version={a}, to_version={b})
class Upcast{a}:
    def upcast(self, data: dict) -> dict:
        return {{**data, "currency": "EUR"}}
"""

PROTEAN = [
    ("a default", pr(more="    currency: str = 'EUR'\n"), True),
    ("a default factory", pr(more="    tags: tuple = Field(default_factory=tuple)\n"), True),
    ("no default", pr(more="    currency: str  # DDD209\n"), False),
    ("removed: Protean refuses an unknown key",
     PR.replace("    total: int\n", "").format(version="", more="").replace(
         "class OrderPlaced:", "class OrderPlaced:  # DDD209"), False),
    ("bump with an upcaster", pr("    __version__ = 2\n", "    currency: str\n")
     + UPCASTER.format(a=1, b=2), True),
    ("bump with an old-style string version and an upcaster",
     pr('    __version__ = "v2"\n', "    currency: str\n") + UPCASTER.format(a=1, b=2), True),
    ("bump without an upcaster", pr("    __version__ = 2\n", "    currency: str\n").replace(
        "class OrderPlaced:", "class OrderPlaced:  # DDD209"), False),
    ("a chain that does not reach the current version",
     pr("    __version__ = 3\n").replace("class OrderPlaced:", "class OrderPlaced:  # DDD209")
     + UPCASTER.format(a=1, b=2), False),
    ("a step that skips a version", pr("    __version__ = 3\n") + UPCASTER.format(a=1, b=3),
     True),
]


# Protean's own field functions, in both styles (analysis/protean_fields.py): a field is
# optional unless ``required=True``; a ValueObject is read through to its own fields
PF = """\
from protean import BaseValueObject, Domain
from protean.fields import Float, Identifier, List, String, ValueObject

shop = Domain(name="Shop")


@shop.value_object
class Money(BaseValueObject):
    amount = Float(required=True)
    currency = String(max_length=3)
{money}

@shop.event(part_of="Order")
class OrderPlaced:
    order_id: Identifier(required=True)
    total = Float(required=True)
    tags = List(content_type=String)
    price = ValueObject(Money)
{more}
"""


def pf(more: str = "", money: str = "") -> str:
    return PF.format(more=more, money=money)


PROTEAN_FIELDS = [
    ("assignment style: an optional field added", pf("    note = String()\n"), True),
    ("annotation style: an optional Identifier added", pf("    customer_id: Identifier()\n"),
     True),
    ("a required field given a default is optional", pf(
        "    currency = String(required=True, default='EUR')\n"), True),
    ("a List added: it defaults to an empty list", pf("    lines = List(content_type=Float)\n"),
     True),
    ("assignment style: a required field added", pf(
        "    currency = String(required=True)  # DDD209\n"), False),
    ("annotation style: a required field added", pf(
        "    customer_id: Identifier(required=True)  # DDD209\n"), False),
    ("assignment style: a field removed", PF.replace("    total = Float(required=True)\n", "")
     .replace("class OrderPlaced:", "class OrderPlaced:  # DDD209").format(more="", money=""),
     False),
    ("a List's content type changed", PF.replace(
        "    tags = List(content_type=String)\n",
        "    tags = List(content_type=Float)  # DDD209\n").format(more="", money=""), False),
    ("a field retyped", PF.replace("    total = Float(required=True)\n",
                                   "    total = String(required=True)  # DDD209\n").format(
        more="", money=""), False),
    ("a required field added inside the ValueObject", PF.replace(
        "    price = ValueObject(Money)\n", "    price = ValueObject(Money)  # DDD209\n").format(
        more="", money="    rate = Float(required=True)\n"), False),
    ("an optional field added inside the ValueObject", pf(money="    rate = Float()\n"),
     True),
]


CF_FILE = "shop/billing/domain.py"
CF = """\
from dataclasses import dataclass


class StoredEvent:
    pass


@dataclass(frozen=True, kw_only=True)
class InvoiceIssued(StoredEvent):
    event_version: int = {version}
    invoice_id: str
{more}"""
CONFIGURED = [
    ("a default", CF.format(version=1, more="    currency: str = 'EUR'\n"), True),
    ("no default", CF.format(version=1, more="    currency: str  # DDD209\n"), False),
    ("a raised version: the project's own upcaster is trusted",
     CF.format(version=2, more="    currency: str\n"), True),
]


def run(tmp_path, monkeypatch, filename: str, before: str, after: str,
        **options) -> tuple[set, set]:
    monkeypatch.chdir(tmp_path)
    values = {"ddd-source-roots": [str(tmp_path)], **options}
    write_file(tmp_path, filename, before)
    config = "".join(f"{key} = {', '.join(value)}\n" for key, value in options.items())
    write_file(tmp_path, "setup.cfg", f"[flake8]\n{config}")
    assert main(["contracts", "lock"]) == 0
    write_file(tmp_path, filename, after)
    settings = Settings.from_values({**values, "ddd-contracts-lock":
                                     str(tmp_path / "ddd-contracts.lock")})
    found = set(findings(after, filename, settings, codes={"DDD209"}, root=tmp_path))
    return found, expected_markers(after)


@pytest.mark.parametrize("case, after, readable", ESOURCING, ids=[c[0] for c in ESOURCING])
def test_eventsourcing(case, after, readable, tmp_path, monkeypatch):
    found, expected = run(tmp_path, monkeypatch, ES_FILE, es(), after)
    assert found == expected
    assert bool(found) is not readable


@pytest.mark.parametrize("case, after, readable", PROTEAN, ids=[c[0] for c in PROTEAN])
def test_protean(case, after, readable, tmp_path, monkeypatch):
    found, expected = run(tmp_path, monkeypatch, PR_FILE, pr(), after)
    assert found == expected
    assert bool(found) is not readable


@pytest.mark.parametrize("case, after, readable", PROTEAN_FIELDS,
                         ids=[c[0] for c in PROTEAN_FIELDS])
def test_protean_field_functions(case, after, readable, tmp_path, monkeypatch):
    found, expected = run(tmp_path, monkeypatch, PR_FILE, pf(), after)
    assert found == expected
    assert bool(found) is not readable


@pytest.mark.parametrize("case, after, readable", CONFIGURED, ids=[c[0] for c in CONFIGURED])
def test_a_configured_base(case, after, readable, tmp_path, monkeypatch):
    found, expected = run(tmp_path, monkeypatch, CF_FILE, CF.format(version=1, more=""), after,
                          **{"ddd-stored-event-bases": ["StoredEvent"]})
    assert found == expected
    assert bool(found) is not readable


def test_silent_without_a_lock(tmp_path):
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)],
                                     "ddd-contracts-lock": str(tmp_path / "none.lock")})
    after = es("        difficulty: int\n")
    assert findings(after, ES_FILE, settings, codes={"DDD209"}, root=tmp_path) == []


def test_a_moved_event_needs_its_old_topic_registered(tmp_path, monkeypatch):
    before = es()
    moved = es().replace("class Dog(Aggregate):", "class Hound(Aggregate):")
    found, _ = run(tmp_path, monkeypatch, ES_FILE, before, moved)
    assert {code for _, code in found} == {"DDD209"}
    aliased = moved + '\n\nregister_topic("pets.domain:Dog", Hound)\n'
    found, _ = run(tmp_path, monkeypatch, ES_FILE, before, aliased)
    assert found == set()


def test_the_message_names_the_missing_step(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    assert main(["contracts", "lock"]) == 0
    after = es("        difficulty: int\n")
    write_file(tmp_path, ES_FILE, after)
    from flake8_ddd_events.lint.pipeline import check_source
    from flake8_ddd_events.model.project_model import ProjectModel

    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    reports = check_source(after, str(tmp_path / ES_FILE), settings, {"DDD209"},
                           ProjectModel(settings))
    messages = [r.message for r in reports]
    assert len(messages) == 1
    assert "add 'class_version = 2' and a static 'upcast_v1_v2(state)' that sets " \
           "'difficulty'" in messages[0]


def test_export_writes_one_schema_per_stored_version(tmp_path, monkeypatch):
    import json

    import jsonschema

    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    assert main(["contracts", "lock"]) == 0
    write_file(tmp_path, ES_FILE, es("""\
        class_version = 2
        difficulty: int

        @staticmethod
        def upcast_v1_v2(state):
            state["difficulty"] = 1
"""))
    assert main(["contracts", "lock"]) == 0
    assert main(["contracts", "export", "--out", "schemas"]) == 0
    stored = tmp_path / "schemas" / "stored"
    assert sorted(p.name for p in stored.iterdir()) == [
        "pets.domain.Dog.Registered.v1.schema.json", "pets.domain.Dog.Renamed.v1.schema.json",
        "pets.domain.Dog.TrickAdded.v1.schema.json", "pets.domain.Dog.TrickAdded.v2.schema.json"]
    v1 = json.loads((stored / "pets.domain.Dog.TrickAdded.v1.schema.json").read_text())
    v2 = json.loads((stored / "pets.domain.Dog.TrickAdded.v2.schema.json").read_text())
    old_event = {"trick": "roll over"}
    jsonschema.validate(old_event, v1)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(old_event, v2)  # a replay must upcast it first
    jsonschema.validate({"trick": "roll over", "difficulty": 2}, v2)


def fixed(tmp_path, monkeypatch, after: str):
    from flake8_ddd_events.fixes import fix_source

    monkeypatch.chdir(tmp_path)
    write_file(tmp_path, ES_FILE, es())
    assert main(["contracts", "lock"]) == 0
    write_file(tmp_path, ES_FILE, after)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    return fix_source(after, str(tmp_path / ES_FILE), settings, {"DDD209"})


def test_fix_raises_the_version_with_an_upcaster_for_an_obvious_factory(tmp_path, monkeypatch):
    after = es("        tags: tuple = field(default_factory=tuple)\n"
               "        aliases: list = field(default_factory=list)\n")
    result = fixed(tmp_path, monkeypatch, after)
    assert result.source == after.replace(
        "        trick: str\n", "        class_version = 2\n        trick: str\n").replace(
        "        aliases: list = field(default_factory=list)\n", """\
        aliases: list = field(default_factory=list)

        @staticmethod
        def upcast_v1_v2(state):
            state["aliases"] = []
            state["tags"] = ()
""")
    assert [o.fixed for o in result.outcomes] == [True, True]
    write_file(tmp_path, ES_FILE, result.source)
    settings = Settings.from_values({"ddd-source-roots": [str(tmp_path)]})
    assert findings(result.source, ES_FILE, settings, codes={"DDD209"}, root=tmp_path) == []


@pytest.mark.parametrize("after", [
    es("        difficulty: int\n"),  # no value is obvious: the domain's to say
    es("        class_version = 2\n"),  # a missing step, not a new field
    es("        tags: tuple = field(default_factory=make_tags)\n"),  # not an obvious value
])
def test_fix_leaves_what_is_not_obvious_and_says_why(after, tmp_path, monkeypatch):
    result = fixed(tmp_path, monkeypatch, after)
    assert result.source == after
    assert result.outcomes and not any(o.fixed for o in result.outcomes)
    assert "write the version and the upcaster the message names" in result.outcomes[0].note


STATUS = """\
from enum import Enum

from protean import Domain
from protean.fields import Status

shop = Domain(name="Shop")


class Phase(Enum):
    DRAFT = "DRAFT"
{members}

@shop.event(part_of="Order")
class OrderMoved:
    phase = Status(Phase, required=True){marker}
"""


@pytest.mark.parametrize("members, marker, readable", [
    ('    PLACED = "PLACED"\n    SHIPPED = "SHIPPED"\n', "", True),
    ("", "  # DDD209", False),
], ids=["a member added", "a member removed: old events hold a value no longer accepted"])
def test_a_protean_status_field_takes_its_enum_s_values(members, marker, readable, tmp_path,
                                                        monkeypatch):
    """``Status(E)`` holds a Literal of E's values (``FieldSpec.resolve_type``)."""
    before = STATUS.format(members='    PLACED = "PLACED"\n', marker="")
    after = STATUS.format(members=members, marker=marker)
    found, expected = run(tmp_path, monkeypatch, PR_FILE, before, after)
    assert found == expected
    assert bool(found) is not readable
