"""Files: which ones a ``ddd-events`` command reads (exactly the files flake8 would
check), and how a Python source file is read (as Python reads it).

flake8's own machinery decides: its option parser reads ``exclude``,
``extend-exclude`` and ``filename`` from the ``[flake8]`` section it finds (setup.cfg,
tox.ini, .flake8, looked up from the current directory), the command's flags win over
them, and ``flake8.discover_files.expand_paths`` walks the directories. Options of
plugins in that section are left to the plugins (``config.load_settings`` reads ours).
"""

from __future__ import annotations

import argparse
import errno
import io
import tokenize
from typing import Iterator, Sequence


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
    ``exclude``/``extend_exclude``): a named file unless excluded, and under a named
    directory the files matching ``filename`` (``*.py``) outside the excluded ones;
    sorted within each named path. The options are read before the first file."""
    from flake8.discover_files import expand_paths

    options = flake8_file_options(exclude, extend_exclude)
    excluded = (*options.exclude, *options.extend_exclude)

    def files() -> Iterator[str]:
        for path in paths:
            yield from sorted(expand_paths(paths=[path], stdin_display_name="stdin",
                                           filename_patterns=options.filename, exclude=excluded))

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
