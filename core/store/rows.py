"""One ``from_row`` for every record: built from the class's attrs fields, once per class.

A record class declares how each field comes from its row, on the field:

- a plain field reads the column of its name;
- ``column(name=..., convert=..., nullable=..., optional=..., context=...)`` reads another
  column, converts the value (``bool``, ``json.loads``), keeps a NULL as None before
  converting (``nullable``), takes the field's default when an older database's row has
  no such column yet (``optional``: a column a later migration added), or passes a
  keyword of ``from_row`` to the converter as its second argument (``context="tz"``);
- ``given(...)`` is not in the row: the caller passes it as a keyword (the nested
  records of a sale, a label looked up elsewhere), or it keeps its default.

``@from_rows`` writes the class's ``from_row(row, /, **given)`` as Python source
and compiles it once per class, as attrs does its ``__init__``: reports build
100,000s of records, so no row pays a walk over ``attrs.fields``; the compiled
constructor costs what the hand-written one it replaces did. ``positional=True`` reads a plain tuple, one
column per row field in field order (cheaper than sqlite3.Row for an export's rows).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import attrs

_KEY = "kassi.row"
T = TypeVar("T")


@attrs.frozen
class _Column:
    name: str | None = None
    convert: Callable[..., Any] | None = None
    nullable: bool = False
    optional: bool = False
    context: str | None = None
    given: bool = False


def column(
    name: str | None = None,
    *,
    convert: Callable[..., Any] | None = None,
    nullable: bool = False,
    optional: bool = False,
    context: str | None = None,
    **field_args: Any,
) -> Any:
    """An attrs field read from a row as declared (see the module's docstring).

    ``field_args`` go to ``attrs.field`` (``default``, ``eq``, ``repr``); an
    ``optional`` column needs a default: what a row without the column gives.
    """
    if optional and "default" not in field_args:
        raise TypeError("an optional column needs the default a row without it gives")
    spec = _Column(name, convert, nullable, optional, context)
    return attrs.field(metadata={_KEY: spec}, **field_args)


def given(**field_args: Any) -> Any:
    """An attrs field the caller of ``from_row`` passes by keyword; not read from the row."""
    return attrs.field(metadata={_KEY: _Column(given=True)}, **field_args)


def from_rows(cls: type[T] | None = None, *, positional: bool = False) -> Any:
    """Give an attrs class a ``from_row`` classmethod compiled from its fields.

    Use above the attrs decorator (``@from_rows`` then ``@frozen``).
    """

    def decorate(klass: type[T]) -> type[T]:
        klass.from_row = classmethod(_compile(klass, positional))  # type: ignore[attr-defined]
        return klass

    return decorate if cls is None else decorate(cls)


def _compile(cls: type, positional: bool) -> Callable[..., Any]:
    env: dict[str, Any] = {}
    keywords: list[str] = []  # given fields and converters' contexts: keyword-only
    contexts: list[str] = []
    lookups: list[str] = []  # optional columns: read before the call, a missing one defaulted
    args: list[str] = []
    index = 0
    for f in attrs.fields(cls):
        spec: _Column = f.metadata.get(_KEY, _Column())
        if isinstance(f.default, attrs.Factory):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__name__}.{f.name}: from_row takes no factory default")
        if f.default is not attrs.NOTHING:
            env["_d_" + f.name] = f.default
        if spec.given:
            default = "" if f.default is attrs.NOTHING else "=_d_" + f.name
            keywords.append(f"{f.name}{default}")
            args.append(f"{f.name}={f.name}")
            continue
        if positional:
            if spec.name is not None or spec.optional:
                raise TypeError(f"{cls.__name__}.{f.name}: a positional row has no names")
            read = f"row[{index}]"
            index += 1
        else:
            read = f"row[{spec.name or f.name!r}]"
        if spec.optional:
            local = "_o_" + f.name
            lookups += [
                "    try:",
                f"        {local} = {read}",
                "    except (IndexError, KeyError):",  # sqlite3.Row; a dict in a test
                f"        {local} = _d_{f.name}",
            ]
            read = local
        value = read
        if spec.convert is not None:
            env["_c_" + f.name] = spec.convert
            extra = ""
            if spec.context is not None:
                extra = ", " + spec.context
                if spec.context not in contexts:
                    contexts.append(spec.context)
            if spec.nullable:
                value = f"(None if (_n_{f.name} := {read}) is None else _c_{f.name}(_n_{f.name}{extra}))"
            else:
                value = f"_c_{f.name}({read}{extra})"
        if spec.optional and spec.convert is not None:
            # A present column is converted; a missing one is the default as it stands.
            lookups += ["    else:", f"        {local} = {value}"]
            value = local
        args.append(f"{f.name}={value}")
    star = ["*", *contexts, *keywords] if contexts or keywords else []
    source = "\n".join(
        [
            f"def from_row({', '.join(['cls', 'row', '/', *star])}):",
            *lookups,
            f"    return cls({', '.join(args)})",
        ]
    )
    code = compile(source, f"<from_row {cls.__module__}.{cls.__qualname__}>", "exec")
    exec(code, env)  # noqa: S102 - our own source, from the class's field names
    fn = env["from_row"]
    fn.__doc__ = f"A {cls.__name__} from its row (core.store.rows)."
    fn.source = source  # what was compiled: for a test, and for reading in a debugger
    return fn
