"""``benchmarks/parse_share.py``: what a partial parse could leave out of a module is what
no rule reads, and nothing a rule reads."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from flake8_ddd_events.config.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

import parse_share  # noqa: E402

HELPER = '''\
def format_money(amount, currency):
    return f"{amount:.2f} {currency}"
'''

MODULE = f'''\
from dataclasses import dataclass


{HELPER}

def send_receipt(event):
    print(event)


def wire(bus):
    bus.subscribe(OrderPlaced, send_receipt)


def stamp(order_id):
    return OrderPlaced(order_id=order_id, occurred_on=datetime.now())


@dataclass
class OrderPlaced:
    order_id: str

    def describe(self):
        return str(self.order_id)

    def rename(self, name):
        self.name = name
'''


def test_only_what_no_rule_reads_is_counted():
    settings = Settings.from_values()
    unread, bound, unread_bodies, bodies, _ = parse_share.shares(
        MODULE, ast.parse(MODULE), parse_share.signs(settings),
        parse_share.signs(settings, in_methods=True))
    # the helper alone: send_receipt is named in a registration, wire registers, stamp
    # builds an event with a naive timestamp
    assert unread == len(HELPER.rstrip("\n"))
    assert bound == unread + len("def wire(bus):\n    bus.subscribe(OrderPlaced, send_receipt)") \
        + len("def stamp(order_id):\n    return OrderPlaced(order_id=order_id, "
              "occurred_on=datetime.now())")
    # describe's body is read by no rule; rename's assigns to self
    assert unread_bodies == len('        return str(self.order_id)')
    assert bodies == unread_bodies + len("        self.name = name")
