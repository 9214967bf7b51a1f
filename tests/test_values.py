"""`values.value_class`: a value class is the dataclass(frozen=True, slots=True) it
replaces (same objects, same methods' behaviour, frozen), built for less; and
`slot_maker` makes what the class makes."""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from migrate_lint import ddl, history, replay, schema, span
from migrate_lint.values import slot_maker, value_class

HOT = (span.Span, schema.Origin, schema.Column, schema.Table, schema.Schema,
       schema.UniqueKey, schema.Index, replay.Step, replay.Write, history.Statement,
       ddl.ColumnDef, ddl.ForeignKeyDef)


def _pair() -> tuple[type, type]:
    """The same class twice (``Plain`` of `_shapes`): a dataclass, and a value class."""
    return _shapes(_frozen_dataclass)[0], _shapes(value_class)[0]


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((1, "y"), {}), ((), {"a": 2, "d": [3]}),
                                         ((4, "z", (1,), [5]), {})])
def test_builds_what_dataclasses_builds(args: tuple[object, ...],
                                        kwargs: dict[str, object]) -> None:
    plain, fast = _pair()
    assert fast.__init__ is not plain.__init__
    a, b = plain(*args, **kwargs), fast(*args, **kwargs)
    for f in dataclasses.fields(plain):
        assert getattr(a, f.name) == getattr(b, f.name), f.name
    assert repr(a) == repr(b)


def test_factories_are_called_per_instance_and_the_object_stays_frozen() -> None:
    _, fast = _pair()
    one, two = fast(1), fast(1)
    assert one == two and one.d is not two.d and one.e is not two.e
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 2  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'a'"):
        fast()
    with pytest.raises(TypeError, match="unexpected keyword argument 'e'"):
        fast(1, e={})


def test_slot_maker_leaves_a_class_it_does_not_cover() -> None:
    @dataclass(frozen=True)
    class NoSlots:
        a: int

    @dataclass(frozen=True, slots=True)
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    @dataclass(frozen=True, slots=True, init=False)
    class Own:
        value: int

        def __init__(self, value: int) -> None:
            object.__setattr__(self, "value", value + 1)

    assert slot_maker(NoSlots) is slot_maker(Checked) is slot_maker(Own) is None


def test_slot_maker_makes_what_the_class_makes() -> None:
    plain, _ = _pair()
    make = slot_maker(plain)
    assert make is not None
    made, built = make(1, "y", (2,), [3]), plain(1, "y", (2,), [3])
    assert type(made) is plain and made == built and made.e == {} and made.f is None
    assert make(1).d == [] and make(1).d is not make(1).d


@pytest.mark.parametrize("cls", HOT, ids=lambda c: c.__name__)
def test_the_hot_classes_keep_their_signature(cls: type) -> None:
    """Each decorated class takes the init fields in order, with the same defaults."""
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    fields = [f for f in dataclasses.fields(cls) if f.init]
    assert [p.name for p in params] == [f.name for f in fields]
    for p, f in zip(params, fields, strict=True):
        if f.default is not dataclasses.MISSING:
            assert p.default == f.default, f.name
        elif f.default_factory is dataclasses.MISSING:
            assert p.default is inspect.Parameter.empty, f.name
    assert cls.__init__.__code__.co_filename == "<string>"
    assert "_v_set0" in cls.__init__.__globals__, "not the fast __init__"


# --- `value_class`: a value class behaves as the dataclass(frozen=True, slots=True) it replaces


def _shapes(decorate: Callable[..., Any]) -> list[type]:
    """The same class shapes, declared with ``decorate`` (called as a class decorator
    or with keyword arguments)."""

    @decorate
    class Plain:
        a: int
        b: str = "x"
        c: tuple[int, ...] = ()
        d: list[int] = field(default_factory=list)
        e: dict[str, int] = field(default_factory=dict, init=False, compare=False)
        f: int | None = field(default=None, init=False)
        g: str = field(default="hidden", repr=False)
        h: int = field(default=0, hash=False)

    @decorate
    class One:
        only: float

    @decorate
    class Empty:
        pass

    @decorate(kw_only=True)
    class Keywords:
        k: int
        m: str = "m"

    @decorate
    class Base:
        x: int

    @decorate
    class Derived(Base):
        y: int = 2

    return [Plain, One, Empty, Keywords, Base, Derived]


def _frozen_dataclass(cls: Any = None, /, *, kw_only: bool = False) -> Any:
    made = dataclass(frozen=True, slots=True, kw_only=kw_only)
    return made if cls is None else made(cls)


_ARGS: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {
    "Plain": [((1,), {}), ((1, "y", (2,), [3]), {}), ((1,), {"g": "other"}),
              ((1,), {"h": 9}), ((2,), {})],
    "One": [((1.5,), {}), ((float("nan"),), {}), ((2.5,), {})],
    "Empty": [((), {})],
    "Keywords": [((), {"k": 1}), ((), {"k": 1, "m": "n"}), ((), {"k": 2})],
    "Base": [((1,), {}), ((2,), {})],
    "Derived": [((1,), {}), ((1, 3), {}), ((4,), {"y": 5})],
}


def test_value_classes_are_built_without_dataclasses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Declaring a value class reads no annotation through dataclasses (which cost a
    small run 20 ms), one deriving from another value class included."""
    built: list[str] = []
    process = dataclasses._process_class  # type: ignore[attr-defined]

    def counting(cls: type, *args: Any) -> Any:
        built.append(cls.__name__)
        return process(cls, *args)

    monkeypatch.setattr(dataclasses, "_process_class", counting)
    _shapes(value_class)
    assert built == []


def test_a_value_class_compiles_its_init_when_first_used() -> None:
    """Declaring compiles nothing: the first construction (or a look at ``__init__``)
    compiles it into the class, which then constructs as any value class. (A class
    without a docstring compiles it at once: its docstring is its signature, as
    dataclasses write it.)"""

    def declare() -> type:
        @value_class
        class Point:
            """A point."""

            x: int
            y: int = 0

        return Point

    point = declare()
    assert not inspect.isfunction(point.__dict__["__init__"])
    made = point(1)
    init = point.__dict__["__init__"]
    assert inspect.isfunction(init) and init.__code__.co_filename == "<string>"
    assert made == point(1, 0) and repr(made).endswith("Point(x=1, y=0)")
    other = declare()
    assert str(inspect.signature(other.__init__)) == "(self, x: 'int', y: 'int' = 0) -> None"
    assert inspect.isfunction(other.__dict__["__init__"])


@pytest.mark.parametrize("index", range(6))
def test_a_value_class_behaves_as_its_dataclass(index: int) -> None:
    import copy
    import pickle

    reference, made = _shapes(_frozen_dataclass)[index], _shapes(value_class)[index]
    derived = any(dataclasses.is_dataclass(base) for base in made.__mro__[1:])
    # a class deriving from another value class is one too (one deriving from another
    # dataclass is left to dataclasses: tested below)
    assert made.__dict__.get("_value_made") is True
    assert "_value_made" not in reference.__dict__
    assert str(inspect.signature(made)) == str(inspect.signature(reference))
    assert [f.name for f in dataclasses.fields(made)] == [
        f.name for f in dataclasses.fields(reference)]
    assert made.__match_args__ == reference.__match_args__  # type: ignore[attr-defined]
    assert made.__slots__ == reference.__slots__  # type: ignore[attr-defined]
    assert made.__doc__ == reference.__doc__
    calls = _ARGS[made.__name__]
    pairs = [(reference(*a, **k), made(*a, **k)) for a, k in calls]
    for ref, new in pairs:
        assert repr(new) == repr(ref)
        try:
            expected_hash: object = hash(ref)
        except TypeError as err:  # a list field: unhashable, in both
            expected_hash = str(err)
        try:
            got_hash: object = hash(new)
        except TypeError as err:
            got_hash = str(err)
        assert got_hash == expected_hash
        for ref_other, new_other in pairs:
            assert (new == new_other) == (ref == ref_other)
            assert (new != new_other) == (ref != ref_other)
        assert new != ref and ref != new  # another class: never equal, as dataclasses
        for name in [f.name for f in dataclasses.fields(made)]:
            with pytest.raises(dataclasses.FrozenInstanceError) as got:
                setattr(new, name, 1)
            with pytest.raises(dataclasses.FrozenInstanceError) as expected:
                setattr(ref, name, 1)
            assert str(got.value) == str(expected.value)
            with pytest.raises(dataclasses.FrozenInstanceError):
                delattr(new, name)
        # not a field: Python 3.11's own slotted class raises a TypeError from a
        # super() call on the class it replaced (a CPython bug); a value class refuses
        with pytest.raises(dataclasses.FrozenInstanceError):
            new.absent = 1  # type: ignore[attr-defined]
        if derived:
            assert made.__slots__ == ("y",) and isinstance(new, made.__mro__[1])
        for copied in (copy.copy(new), copy.deepcopy(new)):
            assert copied == new and type(copied) is made
        assert dataclasses.replace(new) == new
    if made.__name__ in ("Plain", "Base"):  # a nested class pickles by a name it lacks
        made.__qualname__ = made.__name__ = f"_Pickled{made.__name__}"
        globals()[made.__name__] = made
        try:
            for _, new in pairs:
                assert pickle.loads(pickle.dumps(new)) == new
        finally:
            del globals()[made.__name__]


def test_a_value_class_that_writes_its_own_methods_is_left_to_dataclasses() -> None:
    @value_class
    class Checked:
        a: int

        def __post_init__(self) -> None:
            if self.a < 0:
                raise ValueError("negative")

    @value_class
    class Base:
        a: int

    @dataclass(frozen=True, slots=True)
    class Plain(Base):  # a contributor's facts, deriving from a shared value class
        b: int = 0

    assert Base.__dataclass_params__.frozen  # type: ignore[attr-defined]
    assert Plain(1) == Plain(1, 0) != Base(1) and repr(Plain(1)).endswith(".Plain(a=1, b=0)")
    with pytest.raises(dataclasses.FrozenInstanceError):
        Plain(1).a = 2  # type: ignore[misc]

    @value_class
    class Shown:
        a: int

        def __repr__(self) -> str:
            return "shown"

    assert "_value_made" not in Checked.__dict__ and "_value_made" not in Shown.__dict__
    with pytest.raises(ValueError):
        Checked(-1)
    assert repr(Shown(1)) == "shown" and Shown(1) == Shown(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Shown(1).a = 2  # type: ignore[misc]


def test_every_frozen_slotted_class_of_the_project_is_a_value_class() -> None:
    """A class declared with @dataclass(frozen=True, slots=True) pays six compiled
    methods at every start; `value_class` makes the same class for one."""
    import importlib
    import pkgutil

    import migrate_lint
    import rules

    made = slow = 0
    for package in (migrate_lint, rules):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            module = importlib.import_module(info.name)
            for cls in vars(module).values():
                if not (inspect.isclass(cls) and cls.__module__ == module.__name__
                        and dataclasses.is_dataclass(cls)):
                    continue
                params = cls.__dataclass_params__  # type: ignore[attr-defined]
                if cls.__dict__.get("_value_made"):
                    made += 1
                elif params.frozen and "__slots__" in cls.__dict__ and not any(
                        name in cls.__dict__ for name in ("__post_init__", "__repr__")) and not any(
                        dataclasses.is_dataclass(base) for base in cls.__mro__[1:]):
                    slow += 1
                    print(f"{module.__name__}.{cls.__qualname__}")
    assert made > 150 and slow == 0
