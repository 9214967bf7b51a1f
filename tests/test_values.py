"""`values.fast_init`: the faster ``__init__`` of the hot value classes builds the same
objects as the one dataclasses writes, and keeps them frozen."""

from __future__ import annotations

import dataclasses
import inspect
from dataclasses import dataclass, field

import pytest

from migrate_lint import ddl, history, replay, schema, span
from migrate_lint.values import fast_init, slot_maker

HOT = (span.Span, schema.Origin, schema.Column, schema.Table, schema.Schema,
       schema.UniqueKey, schema.Index, replay.Step, replay.Write, history.Statement,
       ddl.ColumnDef, ddl.ForeignKeyDef)


def _pair() -> tuple[type, type]:
    """The same dataclass twice: with dataclasses' own __init__, and with fast_init's."""

    def make() -> type:
        @dataclass(frozen=True, slots=True)
        class Value:
            a: int
            b: str = "x"
            c: tuple[int, ...] = ()
            d: list[int] = field(default_factory=list)
            e: dict[str, int] = field(default_factory=dict, init=False, compare=False)
            f: int | None = field(default=None, init=False)

        return Value

    return make(), fast_init(make())


@pytest.mark.parametrize("args, kwargs", [((1,), {}), ((1, "y"), {}), ((), {"a": 2, "d": [3]}),
                                         ((4, "z", (1,), [5]), {})])
def test_builds_what_dataclasses_builds(args: tuple[object, ...],
                                        kwargs: dict[str, object]) -> None:
    plain, fast = _pair()
    assert fast.__init__ is not plain.__init__
    a, b = plain(*args, **kwargs), fast(*args, **kwargs)
    for f in dataclasses.fields(plain):
        assert getattr(a, f.name) == getattr(b, f.name), f.name
    assert repr(a).replace("Value", "") == repr(b).replace("Value", "")


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


def test_a_class_it_does_not_cover_is_left_as_it_is() -> None:
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

    init = NoSlots.__init__
    assert fast_init(NoSlots).__init__ is init
    assert fast_init(Checked) is Checked
    with pytest.raises(ValueError):
        Checked(-1)
    assert fast_init(Own)(1).value == 2  # its own __init__ still runs
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
