"""Where a flake8 run with the plugin spends its CPU time, step by step, in one process.

    cd CORPUS && python /path/to/benchmarks/phases.py [flake8 arguments]
    e.g. python benchmarks/phases.py -j 1 --exit-zero --ddd-cache=false gen

Wraps timers (no profiler: its overhead is largest on the many small calls of the
plugin) around the plugin's steps, each rule, flake8's mapping of ``# noqa`` lines
(it tokenizes every file that has a finding again) and Python's garbage collections,
then runs flake8 and prints each step's exclusive CPU seconds (a step's time less
that of the steps inside it) and how often it ran. The modules are imported before
flake8 starts, so importing libcst is not counted; "plugin, other" is what the
plugin does outside the named steps (freeing each module's tree included).
"""

from __future__ import annotations

import collections
import functools
import gc
import sys
import time

SECONDS: collections.Counter = collections.Counter()
CALLS: collections.Counter = collections.Counter()
_running: list[float] = []  # time taken by the steps inside each running step


def timed(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        _running.append(0.0)
        try:
            return function(*args, **kwargs)
        finally:
            spent = time.process_time() - start
            inside = _running.pop()
            SECONDS[name] += spent - inside
            CALLS[name] += 1
            if _running:
                _running[-1] += spent
    return wrapper


def timed_generator(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return timed(name, lambda: list(function(*args, **kwargs)))()
    return wrapper


def install() -> None:
    import flake8.processor as processor
    import libcst

    import flake8_ddd_events.cache.results as results
    import flake8_ddd_events.lint.positions as positions
    import flake8_ddd_events.gate.look as gate
    import flake8_ddd_events.model.project_model as model
    import flake8_ddd_events.syntax.parsing as parsing
    import flake8_ddd_events.plugin as plugin
    from flake8_ddd_events.rules import RULES

    parsing.cst.parse_module = timed("libcst parse", libcst.parse_module)
    parsing.collect = timed("collect", parsing.collect)
    positions._place = timed_generator("positions", positions._place)
    gate.Gate.codes_for = timed("gate", gate.Gate.codes_for)
    model.ProjectModel._read = timed("model: read an import", model.ProjectModel._read)
    model.compact = timed("model: compact facts", model.compact)
    model.ProjectModel.register = timed("model: keep a checked module", model.ProjectModel.register)
    model.ProjectModel.take = timed("model: hand over a tree", model.ProjectModel.take)
    results.ResultCache.lookup = timed("cache lookup", results.ResultCache.lookup)
    results.ResultCache.store = timed("cache store", results.ResultCache.store)
    for rule in RULES:
        object.__setattr__(rule, "check", timed_generator(f"rule {rule.code}", rule.check))
    plugin.Plugin.run = timed("plugin, other", plugin.Plugin.run)
    mapping = processor.FileProcessor._noqa_line_mapping
    replaced = functools.cached_property(timed("flake8: noqa line mapping", mapping.func))
    replaced.__set_name__(processor.FileProcessor, "_noqa_line_mapping")
    processor.FileProcessor._noqa_line_mapping = replaced

    started = [0.0]

    def collection(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.process_time()
        else:
            SECONDS[f"gc generation {info['generation']}"] += time.process_time() - started[0]
            CALLS[f"gc generation {info['generation']}"] += 1

    gc.callbacks.append(collection)


def main() -> int:
    install()
    from flake8.main.cli import main as flake8

    start = time.process_time()
    try:
        flake8(sys.argv[1:])
    except SystemExit:
        pass
    total = time.process_time() - start
    rules = sum(v for k, v in SECONDS.items() if k.startswith("rule "))
    print(f"flake8 with the plugin: {total:.2f}s cpu; the rules together: {rules:.3f}s",
          file=sys.stderr)
    for name, seconds in SECONDS.most_common():
        print(f"{seconds:8.3f}s {CALLS[name]:6d}  {name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
