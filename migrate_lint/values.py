"""A faster ``__init__`` for the hot value classes (frozen, slotted dataclasses).

A frozen dataclass's generated ``__init__`` stores each field through
``object.__setattr__(self, "name", value)``, which looks the name up every time; the
history and its replay make hundreds of thousands of spans, statements, columns, tables
and schemas, and that lookup was a tenth of `check`'s time. :func:`fast_init` gives such
a class an ``__init__`` with the same signature that stores each field through its slot
descriptor. The class stays frozen (assignment still raises); a class the recipe does
not cover (``__post_init__``, keyword-only or InitVar fields, no slots) is returned as
it is.
"""

from __future__ import annotations

import dataclasses
from typing import Any, TypeVar

T = TypeVar("T", bound=type)

_NO_VALUE = object()  # a parameter whose default is made by a default_factory


def fast_init(cls: T) -> T:
    """``cls`` with the faster ``__init__`` (see the module's doc), or ``cls`` unchanged."""
    fields = getattr(cls, "__dataclass_fields__", None)
    if not fields or hasattr(cls, "__post_init__") or "__slots__" not in cls.__dict__:
        return cls
    scope: dict[str, Any] = {"NO_VALUE": _NO_VALUE}
    params: list[str] = []
    body: list[str] = []
    for number, field in enumerate(fields.values()):
        if field._field_type is not dataclasses._FIELD:  # type: ignore[attr-defined]
            if field._field_type is dataclasses._FIELD_CLASSVAR:  # type: ignore[attr-defined]
                continue
            return cls  # an InitVar
        if field.kw_only:
            return cls
        scope[f"set{number}"] = cls.__dict__[field.name].__set__
        value = field.name
        if field.default is not dataclasses.MISSING:
            scope[f"default{number}"] = field.default
            default = f"default{number}"
        elif field.default_factory is not dataclasses.MISSING:
            scope[f"factory{number}"] = field.default_factory
            default = "NO_VALUE"
            value = f"factory{number}() if {field.name} is NO_VALUE else {field.name}"
        else:
            default = ""
        if field.init:
            params.append(f"{field.name}={default}" if default else field.name)
        elif default == "NO_VALUE":
            value = f"factory{number}()"
        elif default:
            value = default
        else:
            continue  # neither an argument nor a default: __init__ leaves it unset
        body.append(f" set{number}(self, {value})")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or [" pass"]) + "\n"
    exec(source, scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses the plain assignment
    return cls
