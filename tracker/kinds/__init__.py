"""The development types: one module each, registered in ``tracker.kinds.registry`` in
the order of the timeline's lanes, then the types named in ``TRACKER_KINDS``."""

from __future__ import annotations

import importlib

from tracker.kinds.fields import FieldSpec, field, plain_value
from tracker.kinds.registry import (
    ACCOUNT_KEYS,
    KINDS,
    UPCOMING_STATUSES,
    Exported,
    Fields,
    FieldText,
    Kind,
    NameOf,
    expected_on_occurred,
    field_specs,
    kind_of,
    kinds_with,
    lane,
    load_plugins,
    may_be_ahead,
    parse_fields,
    plugin_errors,
    quotations,
    register,
    takes_field,
)

# The built-in types, in the order of the timeline's lanes and legend.
BUILT_IN = ("call", "meeting", "plan", "strike", "statement", "claim", "issue")
for _module in BUILT_IN:
    importlib.import_module(f"tracker.kinds.{_module}")

__all__ = [
    "ACCOUNT_KEYS",
    "BUILT_IN",
    "KINDS",
    "UPCOMING_STATUSES",
    "Exported",
    "FieldSpec",
    "FieldText",
    "Fields",
    "Kind",
    "NameOf",
    "expected_on_occurred",
    "field",
    "field_specs",
    "kind_of",
    "kinds_with",
    "lane",
    "load_plugins",
    "may_be_ahead",
    "parse_fields",
    "plain_value",
    "plugin_errors",
    "quotations",
    "register",
    "takes_field",
]

load_plugins()
