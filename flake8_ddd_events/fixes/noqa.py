"""``# noqa`` as flake8 reads it, so that the fixer leaves alone what the linter is told to."""

from __future__ import annotations

import io
import tokenize

from flake8.defaults import NOQA_FILE, NOQA_INLINE_REGEXP
from flake8.utils import parse_comma_separated_list


def file_is_silenced(source: str) -> bool:
    """``# flake8: noqa`` on a line of its own: flake8 skips the whole file."""
    return any(NOQA_FILE.match(line) for line in source.splitlines())


class Noqa:
    """Whether a finding (line, code) is silenced by a ``# noqa`` comment.

    As in flake8, a comment anywhere on a statement that spans several lines
    (or in a multi-line string) counts for each of its lines; a bare
    ``# noqa`` silences every code, ``# noqa: DDD1`` every code it prefixes.
    """

    def __init__(self, source: str) -> None:
        self.lines = source.splitlines(keepends=True)
        self.mapping = self._logical_lines(source)

    def _logical_lines(self, source: str) -> dict[int, str]:
        mapping: dict[int, str] = {}
        first, last = len(self.lines) + 2, -1
        try:
            for kind, _, (start, _), (end, _), _ in tokenize.generate_tokens(io.StringIO(source).readline):
                if kind in (tokenize.ENDMARKER, tokenize.DEDENT):
                    continue
                first, last = min(first, start), max(last, end)
                if kind in (tokenize.NL, tokenize.NEWLINE):
                    joined = "".join(self.lines[first - 1:last])
                    mapping.update(dict.fromkeys(range(first, last + 1), joined))
                    first, last = len(self.lines) + 2, -1
        except (tokenize.TokenError, SyntaxError):
            return {}
        return mapping

    def __call__(self, line: int, code: str) -> bool:
        text = self.mapping.get(line)
        if text is None:
            text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        match = NOQA_INLINE_REGEXP.search(text)
        if match is None:
            return False
        codes = match.groupdict()["codes"]
        if codes is None:
            return True
        listed = set(parse_comma_separated_list(codes))
        return code in listed or code.startswith(tuple(listed))
