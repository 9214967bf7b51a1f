"""Faster construction of the hot value classes (frozen, slotted dataclasses).

A frozen dataclass's generated ``__init__`` stores each field through
``object.__setattr__(self, "name", value)``, which looks the name up every time; the
history and its replay make hundreds of thousands of spans, statements, columns, tables
and schemas, and that lookup was a tenth of `check`'s time, and the cache decodes a
checkpoint's schema of tens of thousands of objects. One recipe stores each field
through its slot descriptor instead, in two forms:

- :func:`fast_init`: the class's own ``__init__``, same signature (a class decorator);
- :func:`slot_maker`: a function making an instance from its init fields, without
  calling ``__init__`` (the cache's decoder, for every class it knows).

The class stays frozen (assignment still raises). A class the recipe does not cover
(a ``__post_init__`` or an ``__init__`` of its own, keyword-only or InitVar fields, an
instance ``__dict__``) is left to its own ``__init__``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar, cast

T = TypeVar("T", bound=type)

_NO_VALUE = object()  # a parameter whose default is made by a default_factory


def fast_init(cls: T) -> T:
    """``cls`` with the faster ``__init__`` (see the module's doc), or ``cls`` unchanged."""
    recipe = _recipe(cls)
    if recipe is None:
        return cls
    scope, params, body = recipe
    exec(f"def __init__(self, {', '.join(params)}):\n{body}\n", scope)
    init = scope["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    setattr(cls, "__init__", init)  # noqa: B010 - mypy refuses the plain assignment
    return cls


def slot_maker(cls: type) -> Callable[..., object] | None:
    """A function making an instance of ``cls`` from its init fields, as ``cls(*fields)``
    does, by setting its slots; None where the recipe does not cover ``cls``."""
    recipe = _recipe(cls)
    if recipe is None:
        return None
    scope, params, body = recipe
    scope["_v_new"], scope["_v_cls"] = object.__new__, cls
    exec(f"def make({', '.join(params)}):\n self = _v_new(_v_cls)\n{body}\n return self\n",
         scope)
    return cast(Callable[..., object], scope["make"])


def _recipe(cls: type) -> tuple[dict[str, Any], list[str], str] | None:
    """The scope, the parameters (init fields, with their defaults) and the body that
    sets every slot of ``self``; None for a class the recipe does not cover."""
    fields = getattr(cls, "__dataclass_fields__", None)
    # the __init__ dataclasses wrote (compiled from text), not one the class defines
    generated = getattr(getattr(cls, "__init__", None), "__code__", None)
    if not fields or generated is None or generated.co_filename != "<string>" or hasattr(
            cls, "__post_init__") or any("__dict__" in k.__dict__ for k in cls.__mro__):
        return None
    scope: dict[str, Any] = {"_v_NO_VALUE": _NO_VALUE}
    params: list[str] = []
    body: list[str] = []
    for number, field in enumerate(fields.values()):
        kind = field._field_type
        if kind is dataclasses._FIELD_CLASSVAR:  # type: ignore[attr-defined]
            continue
        if kind is not dataclasses._FIELD or field.kw_only or field.name == "self" or (  # type: ignore[attr-defined]
                field.name.startswith("_v_")):
            return None  # an InitVar, a keyword-only field, a name the recipe uses
        slot: Any = next(
            (k.__dict__[field.name] for k in cls.__mro__ if field.name in k.__dict__), None)
        if type(slot).__name__ != "member_descriptor":
            return None
        scope[f"_v_set{number}"] = slot.__set__
        value = field.name
        if field.default is not dataclasses.MISSING:
            scope[f"_v_default{number}"] = field.default
            default = f"_v_default{number}"
        elif field.default_factory is not dataclasses.MISSING:
            scope[f"_v_factory{number}"] = field.default_factory
            default = "_v_NO_VALUE"
            value = f"_v_factory{number}() if {field.name} is _v_NO_VALUE else {field.name}"
        else:
            default = ""
        if field.init:
            params.append(f"{field.name}={default}" if default else field.name)
        elif default == "_v_NO_VALUE":
            value = f"_v_factory{number}()"
        elif default:
            value = default
        else:
            return None  # a field __init__ leaves unset: leave it to __init__
        body.append(f" _v_set{number}(self, {value})")
    return scope, params, "\n".join(body) or " pass"
