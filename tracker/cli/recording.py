"""``tracker record <kind>``, ``retract`` and ``void``: what reports say about
developments, taken back, or struck out as data-entry errors.

``record`` has one subcommand per development type, its options from the type's fields.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from tracker.cli.group import Context, domain_errors, pass_context
from tracker.cli.options import F, whole_number
from tracker.kinds import ACCOUNT_KEYS, KINDS, FieldSpec

# Commands import what they need inside them: see tracker/cli/__init__.py on start-up.


@click.group()
def record() -> None:
    """Record what one report says about one development."""


def _field_option(spec: FieldSpec) -> Callable[[F], F]:
    help_text = spec.help
    if spec.required:
        help_text = (help_text + " " if help_text else "") + "[required for a new development]"
    if spec.shape == "actors":
        return click.option(spec.option, metavar="ACTOR,...", help=help_text)
    if spec.shape == "int":
        return click.option(spec.option, type=click.IntRange(min=0), help=help_text)
    if spec.shape == "percent":
        return click.option(spec.option, type=click.FloatRange(0, 100), help=help_text)
    if spec.shape == "choice":
        return click.option(spec.option, type=click.Choice(spec.choices), help=help_text)
    if spec.shape in ("texts", "relays", "weapons", "positions"):
        metavar = {
            "texts": "TEXT",
            "relays": "NAME",
            "weapons": "NAME[:COUNT]",
            "positions": "PARTY=TEXT",
        }[spec.shape]
        return click.option(
            spec.option, multiple=True, metavar=metavar, help=help_text + " (repeatable)"
        )
    if spec.shape == "date":
        return click.option(spec.option, metavar="EDTF", help=help_text)
    return click.option(spec.option, help=help_text)


def _raw_value(spec: FieldSpec, value: Any) -> Any:
    """CLI option text in the shape the importer reads."""
    if spec.shape == "actors":
        return [part.strip() for part in value.split(",") if part.strip()]
    if spec.shape in ("texts", "relays"):
        return list(value)
    if spec.shape == "weapons":
        weapons = []
        for item in value:
            name, _, count = item.rpartition(":") if ":" in item else (item, "", "")
            if count and not count.isdigit():
                raise click.BadParameter(
                    f"{item!r}: COUNT must be a whole number", param_hint="--weapons"
                )
            weapons.append({"name": name, "count": int(count) if count else None})
        return weapons
    if spec.shape == "positions":
        positions = {}
        for item in value:
            party, sep, text = item.partition("=")
            if not sep:
                raise click.BadParameter(f"{item!r}: use PARTY=TEXT", param_hint="--positions")
            positions[party.strip()] = text
        return positions
    if spec.shape == "json":
        import orjson

        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return value
    return value


def _record_command(kind: str, specs: tuple[FieldSpec, ...]) -> click.Command:
    def run(context: Context, development_id: str, report_id: str, **options: Any) -> None:
        tracker = context.reading()
        raw: dict[str, Any] = {}
        for key in ACCOUNT_KEYS:
            if options.get(key) is not None:
                raw[key] = options.pop(key)
        for spec in specs:
            value = options.get(spec.name)
            if value is None or value == ():
                continue
            raw[spec.name] = _raw_value(spec, value)
        if tracker.view.development_kind(development_id) is None:
            for spec in specs:
                if spec.required and spec.name not in raw:
                    if not sys.stdin.isatty():
                        raise click.UsageError(f"a new {kind} needs {spec.option}")
                    raw[spec.name] = _raw_value(spec, click.prompt(spec.name.replace("_", " ")))
        with domain_errors():
            version = tracker.record(kind, development_id, report_id, raw)
        verb = "recorded" if version == 1 else f"account {version} recorded"
        click.echo(f"{kind} {development_id} {verb} (log position {tracker.last_position()})")

    params_function: Callable[..., None] = pass_context(run)
    for spec in reversed(specs):
        if spec.name == "quote":
            continue
        params_function = _field_option(spec)(params_function)
    params_function = click.option("--note", help="The analyst's note.")(params_function)
    params_function = click.option(
        "--origin",
        help="Where the report's information comes from (Ushakov, TASS, the White House):"
        " reports relaying one origin corroborate it once.",
    )(params_function)
    params_function = click.option(
        "--attributed-to", help='Who said it, e.g. "Yuri Ushakov via TASS".'
    )(params_function)
    # A type whose own field is the quote (a statement's words) may require it.
    quote = next((spec for spec in specs if spec.name == "quote"), None)
    quote_help = "The words, verbatim from the report." + (
        " [required]" if quote is not None and quote.required else ""
    )
    params_function = click.option("--quote", help=quote_help)(params_function)
    params_function = click.option("--report", "report_id", required=True, help="Report id.")(
        params_function
    )
    params_function = click.option("--id", "development_id", required=True, help="Development id.")(
        params_function
    )
    return click.command(kind, help=f"Record an account of a {kind}.")(params_function)


for _name, _kind in KINDS.items():
    record.add_command(_record_command(_name, _kind.fields))


@click.command()
@click.argument("development_id")
@click.option("--report", "report_id", required=True, help="The report that retracts it.")
@click.option("--reason", required=True)
@click.option("--quote")
@pass_context
def retract(
    context: Context, development_id: str, report_id: str, reason: str, quote: str | None
) -> None:
    """A report says a development did not happen (from its publication on)."""
    tracker = context.reading()
    with domain_errors():
        tracker.retract(development_id, report_id, reason, quote)
    click.echo(f"{development_id} retracted by {report_id}")


@click.command()
@click.argument("position", type=whole_number(1))
@click.option("--reason", required=True)
@pass_context
def void(context: Context, position: int, reason: str) -> None:
    """Void one account (a data-entry error) by its log position."""
    tracker = context.reading()
    with domain_errors():
        development_id, version = tracker.void(position, reason)
    click.echo(f"voided account {version} of {development_id} (log position {position})")


COMMANDS = (record, retract, void)
