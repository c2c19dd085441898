"""Actor names and aliases: the one way they are checked, and the one way they match.

A name is stored as the analyst spelled it. It matches another when their keys are
equal: Unicode NFC, runs of whitespace as one space, none at either end, and case
folded. The batch, the domain and the read model all build keys here, so that an alias
``" Zeddy "`` is named by ``Zeddy`` everywhere, and no second actor can claim it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from tracker.errors import InvalidRecord

# Each name and alias is a key of the read model's alias index. PostgreSQL's btree
# index holds a key of at most 2,704 bytes; a key has up to three times the bytes of its
# name (case folding writes "ΐ" as three characters), so 800 bytes stays under it.
MAX_NAME_CHARS = 200
MAX_NAME_BYTES = 800

_WHITESPACE = re.compile(r"\s+")


def clean_name(name: str) -> str:
    """A name as it is compared: NFC, whitespace runs as one space, trimmed."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFC", name)).strip()


def alias_key(name: str) -> str:
    """The key a name is matched by, whatever its case and spacing."""
    if len(name) > _CACHED_CHARS:
        return _key(name)
    return _cached_key(name)


# An import names the same few actors in account after account; a longer name is keyed
# each time, not kept (an unknown one may be megabytes long).
_CACHED_CHARS = 4 * MAX_NAME_CHARS


@functools.lru_cache(maxsize=4096)
def _cached_key(name: str) -> str:
    return _key(name)


def _key(name: str) -> str:
    return unicodedata.normalize("NFC", clean_name(name).casefold())


def origin_key(origin: str | None, report_id: str) -> tuple[str, str]:
    """What an account counts as when corroboration counts independent origins: its
    origin as names match (two outlets relaying one origin count once), or without one,
    its own report (two reports of one outlet count twice)."""
    return ("report", report_id) if origin is None else ("origin", alias_key(origin))


def check_name(name: Any, what: str) -> str:
    """A name or alias an actor may be given: a string with something in it, short
    enough for the alias index. ``what`` names it in the error."""
    if not isinstance(name, str) or not clean_name(name):
        raise InvalidRecord(f"{what} {name!r} must be a non-empty string")
    if len(name) > MAX_NAME_CHARS or len(name.encode("utf-8", "surrogatepass")) > MAX_NAME_BYTES:
        shown = name[:40] + "..."
        raise InvalidRecord(
            f"{what} {shown!r} is too long: at most {MAX_NAME_CHARS} characters"
            f" ({MAX_NAME_BYTES} bytes in UTF-8)"
        )
    return name
