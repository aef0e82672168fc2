"""Writing output files atomically: a reader never sees half a file, a failure leaves none.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
>>> write_atomically(p, b"done")
>>> p.read_bytes()
b'done'
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from impactkg.errors import ImpactKGError, StoreError


def write_atomically(
    path: str | Path,
    content: bytes | Callable[[IO[bytes]], None],
    error: type[ImpactKGError] = StoreError,
) -> None:
    """Write ``content`` (bytes, or a function writing to a binary file) to ``path`` through a
    ``.part`` file renamed at the end; an OS error becomes ``error("cannot write PATH: ...")``."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as fh:
            if callable(content):
                content(fh)
            else:
                fh.write(content)
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise error(f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
