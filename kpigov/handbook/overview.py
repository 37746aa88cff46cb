"""The overview's part of each KPI, made once and kept between builds.

The overview page (index.html) shows every KPI twice — its card, and its chip in the goal tree —
and the search index holds an entry for each. After an edit of one KPI the overview changes and
is rendered again, but 9,999 of its cards are the ones of the last build: making and rendering
them again took most of a warm build. So each KPI's *piece* — its card and chip rendered, what
the overview counts of it (key KPI, status, red/amber/green) and its search entry — is kept in
the cache beside the build's manifest, by the KPI's card key (kpigov/handbook/keys.py: every
source a card reads), and made again only when that key is new. The pieces kept are the ones
the last build used, for the shared key (labels, language, code, configuration) they were made
with; a store of any other shape is ignored.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

PIECES_FORMAT = 2
# A piece: [card HTML, chip HTML, key KPI, status, red/amber/green or None, search entry as
# JSON] (the entry as text: decoding ten thousand small objects cost more than the text)
Piece = list[Any]
_SHAPE = (str, str, bool, str, (str, type(None)), str)


def _is_piece(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == len(_SHAPE)
        and all(isinstance(part, kind) for part, kind in zip(value, _SHAPE, strict=True))
    )


class Pieces:
    """The pieces of the last build into one folder (``path``: none without a cache), and those
    this build uses."""

    def __init__(self, path: Path | None, shared: str) -> None:
        self.path, self.shared = path, shared
        self.known: dict[str, Piece] = self._read()
        self.used: dict[str, Piece] = {}
        self.made = 0

    def _read(self) -> dict[str, Piece]:
        if self.path is None:
            return {}
        try:
            with open(self.path, encoding="utf-8") as handle:
                stored = json.load(handle)
            if stored.get("format") != PIECES_FORMAT or stored.get("shared") != self.shared:
                return {}
            pieces = stored["pieces"]
            if not isinstance(pieces, dict) or not all(map(_is_piece, pieces.values())):
                return {}
            return pieces  # type: ignore[no-any-return]
        except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return {}

    def get(self, key: str, make: Callable[[], Piece]) -> Piece:
        piece = self.used.get(key) or self.known.get(key)
        if piece is None:
            piece = make()
            self.made += 1
        self.used[key] = piece
        return piece

    def save(self, detached: bool = False) -> None:
        """Keep the pieces this build used (written only when they are not those it found; one
        that cannot be written only costs the next build its reuse). ``detached``: by a
        detached process, so that the build does not wait for 20 MB of JSON."""
        if self.path is None or (not self.made and self.used.keys() == self.known.keys()):
            return
        from kpigov.background import run_detached_or_here

        run_detached_or_here(self._write, detached)

    def _write(self) -> None:
        from kpigov.atomic import write_atomic

        assert self.path is not None
        text = json.dumps({"format": PIECES_FORMAT, "shared": self.shared, "pieces": self.used})
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, text, durable=False)
