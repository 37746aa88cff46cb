"""Where the data folders (rules/, schemas/, templates/) are at run time.

A wheel carries them inside the package as ``kpigov/_data/<name>``; a source checkout or an
editable install finds them at the top of the repository, beside the ``kpigov`` package.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """Return the folder holding the named data set (``rules``, ``schemas`` or ``templates``)."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kpigov is installed without its {name}/ data folder")
