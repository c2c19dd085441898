"""Sizes the import and the export must agree on: what one exports, the other reads back."""

from __future__ import annotations

MIB = 1024 * 1024

# A record with a whole report inline stays well under this; a longer line is refused
# before it is parsed, so a hostile file cannot make the import crawl or swell.
MAX_LINE_BYTES = 16 * MIB

# A report's text and other fields, as JSON: below the line limit by room for the keys
# and punctuation of its export line, which must import back.
MAX_REPORT_BYTES = MAX_LINE_BYTES - 64 * 1024
