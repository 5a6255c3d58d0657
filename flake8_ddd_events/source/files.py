"""Files: which ones a ``ddd-events`` command reads (exactly the files flake8 would
check), and how a Python source file is read (as Python reads it).

flake8's own machinery decides: its option parser reads ``exclude``,
``extend-exclude`` and ``filename`` from the ``[flake8]`` section it finds (setup.cfg,
tox.ini, .flake8, looked up from the current directory), the command's flags win over
them, and the directories are walked as ``flake8.discover_files.expand_paths`` walks
them, third-party code (``thirdparty``) and the tools' folders left out. Options of
plugins in that section are left to the plugins (``config.load_settings`` reads ours).
"""

from __future__ import annotations

import argparse
import ast
import errno
import io
import logging
import os
import tokenize
from typing import Iterator, Sequence

_LOG = logging.getLogger(__name__)


def flake8_file_options(exclude: str | None = None,
                        extend_exclude: str | None = None) -> argparse.Namespace:
    """flake8's options for the current directory: its defaults, then its ``[flake8]``
    section, then ``--exclude``/``--extend-exclude`` as given (comma-separated, as on
    flake8's command line). A bad configuration file raises flake8's own error."""
    import flake8
    from flake8.main.options import register_default_options, stage1_arg_parser
    from flake8.options.aggregator import aggregate_options
    from flake8.options.config import load_config
    from flake8.options.manager import OptionManager

    argv = []
    if exclude is not None:
        argv.append(f"--exclude={exclude}")
    if extend_exclude is not None:
        argv.append(f"--extend-exclude={extend_exclude}")
    stage1 = stage1_arg_parser()
    first, rest = stage1.parse_known_args(argv)
    cfg, cfg_dir = load_config(config=first.config, extra=first.append_config,
                               isolated=first.isolated)
    manager = OptionManager(version=flake8.__version__, plugin_versions="", parents=[stage1],
                            formatter_names=[])
    register_default_options(manager)
    return aggregate_options(manager, cfg, cfg_dir, rest)


def python_files(paths: Sequence[str], *, exclude: str | None = None,
                 extend_exclude: str | None = None) -> Iterator[str]:
    """The files flake8 would check for ``paths`` (see :func:`flake8_file_options` for
    ``exclude``/``extend_exclude``), third-party code left out: a named file unless
    excluded (checked even in a virtual environment: a project may want its vendored
    code checked), and under a named directory the files matching ``filename``
    (``*.py``) outside the excluded folders, the tools' folders and third-party folders
    (``thirdparty``); sorted within each named path. The options are read before the
    first file."""
    from flake8.utils import fnmatch, matches_filename

    from .thirdparty import ThirdParty, walked_past

    options = flake8_file_options(exclude, extend_exclude)
    excluded = (*options.exclude, *options.extend_exclude)
    third_party = ThirdParty()

    def is_excluded(path: str) -> bool:  # as flake8.discover_files decides it
        return matches_filename(path, patterns=excluded, log_message="%(path)s excluded",
                                logger=_LOG)

    def skipped_folder(path: str) -> bool:
        return (walked_past(os.path.basename(path)) or is_excluded(path)
                or third_party.is_third_party(path))

    def walk(top: str) -> Iterator[str]:
        for folder, folders, names in os.walk(top):
            folders[:] = [name for name in folders
                          if not skipped_folder(os.path.join(folder, name))]
            for name in names:
                path = os.path.join(folder, name)
                if fnmatch(path, options.filename) and not is_excluded(path):
                    yield path

    def files() -> Iterator[str]:
        for path in paths:
            if not os.path.isdir(path):
                if not is_excluded(path):
                    yield path
            elif not (is_excluded(path) or third_party.is_third_party(path)):
                yield from sorted(walk(path))

    return files()


def read_source(path: str, max_bytes: int | None = None) -> tuple[str, str]:
    """A Python source file's text, decoded as Python decodes it (a UTF-8 BOM, else the
    PEP 263 coding cookie, else UTF-8), and that encoding: ``utf-8-sig`` after a BOM, so
    that encoding the text gives the file back. Raises OSError (EFBIG when the file holds
    more than ``max_bytes``), or UnicodeError when the declaration names no codec,
    contradicts the BOM, or the bytes are not in the declared encoding."""
    with open(path, "rb") as handle:
        data = handle.read(-1 if max_bytes is None else max_bytes + 1)
    if max_bytes is not None and len(data) > max_bytes:
        raise OSError(errno.EFBIG, f"more than {max_bytes} bytes", path)
    return decode_source(data)


def decode_source(data: bytes) -> tuple[str, str]:
    """A Python source's bytes decoded as :func:`read_source` decodes a file's."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise UnicodeError(error.msg) from None
    return data.decode(encoding), encoding


def unreadable(path: str, error: BaseException, source: str | None = None) -> str:
    """The one message every ``ddd-events`` command gives for a file it cannot read:
    ``path:line:col: cannot read this file: <why>; it was skipped``. The why is Python's
    own wording wherever Python has one: for a source (``source``) that libcst could not
    parse, Python's parse (``compile``) is asked first, and only valid Python keeps
    libcst's reason (DDD000's). Lines and columns count from 1."""
    if source is not None and not isinstance(error, (SyntaxError, OSError, UnicodeError)):
        try:
            compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        except (SyntaxError, ValueError) as python_error:
            error = python_error
        except (RecursionError, MemoryError):
            pass  # Python cannot say it either: libcst's reason stands
    line, column = 1, 1
    if isinstance(error, SyntaxError):
        why = error.msg
        line, column = error.lineno or 1, error.offset or 1
    elif isinstance(error, OSError):
        why = error.strerror or str(error)
    else:
        why = str(error) or type(error).__name__
    return f"{path}:{line}:{column}: cannot read this file: {why}; it was skipped"


def check_python(path: str) -> str | None:
    """:func:`unreadable`'s message for a file Python cannot read or parse, None for one it can."""
    try:
        source, _ = read_source(path)
        compile(source, path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (OSError, UnicodeError, SyntaxError, ValueError, RecursionError, MemoryError) as error:
        return unreadable(path, error)
    return None
