"""Value classes (frozen, slotted dataclasses), cheap to declare and to construct.

:func:`value_class` declares one: a ``@dataclass(frozen=True, slots=True)``, built at
import for a fraction of the cost. Python 3.11's dataclasses compile six methods from
source text per class (``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__``, ``__delattr__``); with two hundred classes that was a twentieth of a
large `check` and a sixth of a small one. A value class compiles one, its ``__init__``,
when it is first used (most of a warm run's classes never are), and shares the others,
written once here with the same behaviour (tests/test_values.py compares them with the
dataclass each replaces). Its fields and slots are read from the class as dataclasses
read them, without dataclasses' second class and checks of every annotation.

Its ``__init__`` stores each field through its slot descriptor: a frozen dataclass's
stores it through ``object.__setattr__(self, "name", value)``, which looks the name up
every time, and the history and its replay make hundreds of thousands of spans,
statements, columns, tables and schemas (that lookup was a tenth of `check`'s time).
The same recipe makes :func:`slot_maker`: a function making an instance from its init
fields without calling ``__init__`` (the cache's decoder, for every class it knows).

A class the recipe does not cover (a ``__post_init__`` or an ``__init__`` of its own,
InitVar fields, an instance ``__dict__``, a dataclass base that is no value class) is
left to dataclasses.
"""

from __future__ import annotations

import abc
import dataclasses
from collections.abc import Callable
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        """Only type checkers read it (typing has it from Python 3.11; we run on 3.10)."""
        return lambda decorated: decorated

T = TypeVar("T", bound=type)


class _Factory:
    """The default of a parameter whose default is made by a default_factory."""

    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses show it in the signature


_NO_VALUE = _Factory()


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


@overload
def value_class(cls: T, /) -> T: ...
@overload
def value_class(*, kw_only: bool = False) -> Callable[[T], T]: ...
@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def value_class(cls: T | None = None, /, *, kw_only: bool = False) -> T | Callable[[T], T]:
    """Declare a value class: ``@dataclass(frozen=True, slots=True)``, made cheaply
    (see the module's doc). ``@value_class(kw_only=True)`` as dataclasses' ``kw_only``."""

    def make(undone: T) -> T:
        return _value_class(undone, kw_only)

    return make if cls is None else make(cls)


_OWN_METHODS = ("__init__", "__post_init__", "__repr__", "__eq__", "__hash__", "__setattr__",
                "__delattr__", "__getstate__", "__setstate__")


def _value_class(undone: T, kw_only: bool) -> T:
    """``undone`` as a value class; a class the shared methods cannot stand for (one
    that writes its own, or derives from a dataclass that is no value class: a few) is
    left to dataclasses, which make it the same class, slowly."""
    bases = [base for base in undone.__mro__[1:] if dataclasses.is_dataclass(base)]
    if any(name in undone.__dict__ for name in _OWN_METHODS) or any(
            not base.__dict__.get("_value_made") for base in bases):
        return cast(T, dataclasses.dataclass(frozen=True, slots=True, kw_only=kw_only)(undone))
    # Fields, slots and match args: as dataclasses make them, without its checks of each
    # annotation and its second class (`_slotted`), else from dataclasses; no method
    # compiled. `frozen` must be False there (it would compile two), and is made true
    # below by the shared methods. (Below a value class, only a frozen dataclass may be.)
    cls = _slotted(undone, kw_only)
    if cls is None and bases:
        return cast(T, dataclasses.dataclass(frozen=True, slots=True, kw_only=kw_only)(undone))
    cls = cls or cast(T, dataclasses.dataclass(
        init=False, repr=False, eq=False, slots=True, kw_only=kw_only)(undone))
    recipe = _recipe(cls, generated_init=False)
    if recipe is None:
        raise TypeError(f"{cls.__qualname__}: a value class takes plain fields (no InitVar); "
                        "declare it with @dataclass(frozen=True, slots=True)")
    fields = dataclasses.fields(cls)
    shown = [f.name for f in fields if f.repr]
    compared = tuple(f.name for f in fields if f.compare)
    hashed = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))
    methods = _shared_methods(cls, shown, field_tuple(compared), field_tuple(hashed),
                              [f.name for f in fields])
    for name, method in methods.items():
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    cls.__init__ = _InitOnFirstUse(cls, recipe, fields)  # type: ignore[misc]
    cls._value_made = True  # type: ignore[attr-defined]  # a class attribute, not a slot
    if not cls.__doc__:  # as dataclasses write it: the signature
        import inspect

        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    # What the class is, for dataclasses' own checks: a @dataclass(frozen=True) subclass
    # (a rule's facts deriving from a shared base) must find a frozen base.
    params = cls.__dataclass_params__  # type: ignore[attr-defined]
    params.init = params.repr = params.eq = params.frozen = True
    return cls


class _InitOnFirstUse:
    """A value class's ``__init__`` until it is first read (to construct an instance,
    or by inspect): then it is compiled and takes its place in the class. A run
    constructs only some of the classes it declares, and compiling one is most of what
    declaring it costs."""

    __slots__ = ("cls", "fields", "recipe")

    def __init__(self, cls: type, recipe: tuple[dict[str, Any], list[str], str],
                 fields: tuple[dataclasses.Field[Any], ...]) -> None:
        self.cls, self.recipe, self.fields = cls, recipe, fields

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        scope, params, body = self.recipe
        exec(f"def __init__(self, {', '.join(params)}):\n{body}\n", scope)
        init = scope["__init__"]
        # the signature dataclasses give (help(), inspect)
        init.__annotations__ = {**{f.name: f.type for f in self.fields if f.init},
                                "return": None}
        init.__qualname__ = f"{self.cls.__qualname__}.__init__"
        type.__setattr__(self.cls, "__init__", init)
        return init if obj is None else init.__get__(obj, owner)


# Annotations `_slotted` leaves to dataclasses: the pseudo-fields and pseudo-types
# dataclasses read from an annotation's text.
_SPECIAL = ("ClassVar", "InitVar", "KW_ONLY")


def _slotted(undone: T, kw_only: bool) -> T | None:
    """``undone`` as ``dataclass(init=False, repr=False, eq=False, slots=True)`` makes it
    (fields, slots, match args, parameters), built directly: dataclasses reads every
    annotation's text for ClassVar and InitVar and builds the class twice, which cost a
    small `check` 20 ms over 150 classes. None for what that does not cover (an
    annotation that is not text or names a special form, an unhashable or misplaced
    default, an abstract base): dataclasses makes those."""
    # as dataclasses read them: this class's own (inspect, which ruff suggests, costs an import)
    annotations = undone.__dict__.get("__annotations__", {})  # noqa: RUF063
    if "__slots__" in undone.__dict__ or isinstance(undone, abc.ABCMeta):
        return None
    fields: dict[str, dataclasses.Field[Any]] = {}
    inherited: set[str] = set()  # slots the bases have
    for base in reversed(undone.__mro__[1:]):
        fields.update(base.__dict__.get("__dataclass_fields__", {}))
        slots = base.__dict__.get("__slots__", ())
        inherited.update((slots,) if isinstance(slots, str) else slots)
    for name, kind in annotations.items():
        if not isinstance(kind, str) or any(word in kind for word in _SPECIAL):
            return None
        default = undone.__dict__.get(name, dataclasses.MISSING)
        if isinstance(default, dataclasses.Field):
            made = default
        elif type(default).__hash__ is None:
            return None  # a mutable default: dataclasses refuses it
        else:
            made = dataclasses.field(default=default)
        made.name, made.type = name, kind
        made._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        if made.kw_only is dataclasses.MISSING:
            made.kw_only = kw_only
        fields[name] = made
    positional_default = False
    for made in fields.values():  # in __init__'s order: the bases' fields first
        if made._field_type is not dataclasses._FIELD:  # type: ignore[attr-defined]
            return None
        has_default = made.default is not dataclasses.MISSING or (
            made.default_factory is not dataclasses.MISSING)
        if made.init and not made.kw_only:
            if positional_default and not has_default:
                return None  # dataclasses says which field is misplaced
            positional_default = positional_default or has_default
    namespace = {key: value for key, value in undone.__dict__.items()
                 if key not in fields and key not in ("__dict__", "__weakref__")}
    namespace["__slots__"] = tuple(name for name in fields if name not in inherited)
    namespace["__dataclass_fields__"] = fields
    namespace["__dataclass_params__"] = _params()
    if "__match_args__" not in namespace:
        namespace["__match_args__"] = tuple(
            f.name for f in fields.values() if f.init and not f.kw_only)
    made_cls: T = type(undone)(undone.__name__, undone.__bases__, namespace)
    made_cls.__qualname__ = undone.__qualname__
    return made_cls


def _params() -> Any:
    """The parameters dataclasses record for ``dataclass(init=False, repr=False,
    eq=False, slots=True)``, a copy per class (`_value_class` changes them)."""
    template = _template_params()
    made = object.__new__(type(template))
    for name in type(template).__slots__:
        object.__setattr__(made, name, getattr(template, name))
    return made


@lru_cache(maxsize=1)
def _template_params() -> Any:
    """One class's parameters, to copy: what they hold varies with Python's version."""
    template: Any = type("Template", (), {"__doc__": "-"})
    return dataclasses.dataclass(init=False, repr=False, eq=False, slots=True)(
        template).__dataclass_params__



def field_tuple(names: tuple[str, ...]) -> Callable[[Any], tuple[Any, ...]]:
    """A function giving those attributes of an object as a tuple, in one call (as
    dataclasses compare and hash them; the cache's encoder reads fields with it)."""
    if len(names) >= 2:
        return cast(Callable[[Any], tuple[Any, ...]], attrgetter(*names))
    if len(names) == 1:
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return lambda self: ()


def _shared_methods(cls: type[Any], shown: list[str], compared: Callable[[Any], tuple[Any, ...]],
                    hashed: Callable[[Any], tuple[Any, ...]], order: list[str]
                    ) -> dict[str, Callable[..., Any]]:
    """What dataclasses would compile for a frozen class with eq, as closures; ``order``
    names every field."""
    names = frozenset(order)

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __setattr__(self: Any, name: str, _value: object) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, _value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)

    # copy and pickle restore slots through setattr, which a frozen class refuses
    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, name) for name in order]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, item in zip(order, state, strict=True):
            object.__setattr__(self, name, item)

    return {"__repr__": __repr__, "__eq__": __eq__, "__hash__": __hash__,
            "__setattr__": __setattr__, "__delattr__": __delattr__,
            "__getstate__": __getstate__, "__setstate__": __setstate__}


def _recipe(cls: type, generated_init: bool = True
            ) -> tuple[dict[str, Any], list[str], str] | None:
    """The scope, the parameters (init fields, with their defaults) and the body that
    sets every slot of ``self``; None for a class the recipe does not cover.
    ``generated_init``: the class must have the ``__init__`` dataclasses wrote (not one
    of its own, which the recipe would replace)."""
    fields = getattr(cls, "__dataclass_fields__", None)
    # the __init__ dataclasses wrote (compiled from text), not one the class defines
    generated = getattr(getattr(cls, "__init__", None), "__code__", None)
    written = generated is None or generated.co_filename != "<string>"
    if fields is None or (generated_init and written) or hasattr(cls, "__post_init__") or any(
            "__dict__" in k.__dict__ for k in cls.__mro__):
        return None
    scope: dict[str, Any] = {"_v_NO_VALUE": _NO_VALUE}
    params: list[str] = []
    keywords: list[str] = []  # keyword-only parameters, after a `*`
    body: list[str] = []
    for number, field in enumerate(fields.values()):
        kind = field._field_type
        if kind is dataclasses._FIELD_CLASSVAR:  # type: ignore[attr-defined]
            continue
        if kind is not dataclasses._FIELD or field.name == "self" or (  # type: ignore[attr-defined]
                field.name.startswith("_v_")):
            return None  # an InitVar, a name the recipe uses
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
            (keywords if field.kw_only else params).append(
                f"{field.name}={default}" if default else field.name)
        elif default == "_v_NO_VALUE":
            value = f"_v_factory{number}()"
        elif default:
            value = default
        else:
            return None  # a field __init__ leaves unset: leave it to __init__
        body.append(f" _v_set{number}(self, {value})")
    if keywords:
        params = [*params, "*", *keywords]
    return scope, params, "\n".join(body) or " pass"
