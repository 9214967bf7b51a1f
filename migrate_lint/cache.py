"""The on-disk cache: named entries of plain data, written atomically, read with care.

``.migrate-lint-cache/`` (beside the configuration file, else beside the migrations
directory; ``check --cache-dir``) holds one file per entry. What the entries mean
(replay checkpoints, results of a run) is `migrate_lint.lintcache`'s business; this
module only stores values made of None, booleans, numbers, strings, tuples, lists,
dicts and frozensets, and `Codec` turns the project's frozen dataclasses into such
values and back.

Safe by construction:

- **Atomic**: an entry is written to a temporary file in the same directory and
  renamed over the final name, so a reader sees the old entry or the new one, never a
  part; concurrent runs (pre-commit hooks in parallel) need no lock.
- **Validated**: a file starts with a magic line and a header naming the format, the
  tool and Python versions, its own name, the payload's length and SHA-256. A file
  that is truncated, garbage, another version's or another name's is ignored (a note
  for ``--verbose``) and rebuilt by the next write.
- **Trust**: the payload is `marshal` data: plain values only, nothing is executed
  when it is read (it is never `pickle`). The cache is as trusted as the tree it
  sits in: whoever can write it can also edit the migrations it describes. The
  checksum guards against accidents (a killed write, a full disk), not against them.
- **Bounded**: after each write the oldest entries (by last use) are removed until
  the directory holds at most `MAX_ENTRIES` entries and `MAX_BYTES` bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import marshal
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, SupportsIndex, cast

from immutables import Map

from migrate_lint.values import field_tuple, slot_maker
from migrate_lint.version import __version__

DIRECTORY = ".migrate-lint-cache"
FORMAT = 1  # bump when what an entry holds changes shape
MAGIC = b"migrate-lint-cache\n"
MAX_ENTRIES = 64
MAX_BYTES = 256 * 1024 * 1024
_STALE_TEMP = 3600.0  # seconds after which a temporary file is a killed writer's
# Files in the directory that are not entries.
_KEEP = frozenset({".gitignore", "CACHEDIR.TAG"})
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# This directory is a cache made by migrate-lint; it can be deleted at any time.\n"
        "# For information about cache directory tags see https://bford.info/cachedir/\n")


def _header(name: str, payload: bytes | memoryview) -> bytes:
    fields = {"format": FORMAT, "tool": __version__, "python": list(sys.version_info[:2]),
              "marshal": marshal.version, "name": name, "size": len(payload),
              "sha256": hashlib.sha256(payload).hexdigest()}
    return json.dumps(fields, sort_keys=True).encode() + b"\n"


class Store:
    """One cache directory. ``notes`` collects what ``--verbose`` says about it."""

    def __init__(self, directory: str, notes: list[str]) -> None:
        self.directory = directory
        self.notes = notes
        self._writable = True

    @classmethod
    def open(cls, directory: str, notes: list[str]) -> Store | None:
        """The store in ``directory`` (made when missing), or None when it cannot be
        made: the run then goes without a cache, and says why under ``--verbose``."""
        try:
            os.makedirs(directory, exist_ok=True)
            if not os.path.exists(os.path.join(directory, ".gitignore")):
                # ignored by git and by backup tools, as pytest's and ruff's caches are
                _write_small(os.path.join(directory, ".gitignore"), "*\n")
                _write_small(os.path.join(directory, "CACHEDIR.TAG"), _TAG)
        except OSError as err:
            notes.append(f"cache: {directory}: cannot use it ({err.strerror}); not caching")
            return None
        return cls(directory, notes)

    def path(self, name: str) -> str:
        """Where entry ``name`` lives."""
        return os.path.join(self.directory, name)

    def names(self) -> frozenset[str]:
        """The names of the entries present now."""
        try:
            return frozenset(n for n in os.listdir(self.directory)
                             if n not in _KEEP and not n.startswith(".tmp-"))
        except OSError:
            return frozenset()

    def read(self, name: str) -> Any | None:
        """Entry ``name``'s value, or None when it is absent or not valid (noted)."""
        path = self.path(name)
        try:
            with open(path, "rb") as handle:
                data = handle.read()
        except FileNotFoundError:
            return None
        except OSError as err:
            self.notes.append(f"cache: {path}: cannot read it ({err.strerror}); ignored")
            return None
        value = _decode(data, name)
        if value is _INVALID:
            self.notes.append(f"cache: {path}: not a valid entry (truncated, corrupt or "
                              "made by another version); ignored, and rebuilt")
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # last use: eviction removes the least recently used
        return value

    def write(self, name: str, value: Any) -> None:
        """Store ``value`` as entry ``name`` (atomically), then keep the bounds."""
        if not self._writable:
            return
        try:
            payload = marshal.dumps(value)
        except ValueError as err:  # a value that is not plain data: a bug, not the user's
            self.notes.append(f"cache: {name}: cannot store it ({err})")
            return
        try:
            fd, temp = _temporary(self.directory)
        except OSError as err:
            self._writable = False
            self.notes.append(f"cache: {self.directory}: not writable ({err.strerror}); "
                              "not caching")
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(MAGIC + _header(name, payload) + payload)
            os.replace(temp, self.path(name))
        except OSError as err:
            self.notes.append(f"cache: {self.path(name)}: cannot write it ({err.strerror})")
            _remove(temp)
            return
        self.evict()

    def evict(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_BYTES) -> None:
        """Remove the least recently used entries beyond the bounds, and temporary files
        that killed writers left."""
        now = time.time()
        entries: list[tuple[float, int, str]] = []
        try:
            listing = list(os.scandir(self.directory))
        except OSError:
            return
        for entry in listing:
            if entry.name in _KEEP:
                continue
            try:
                stat = entry.stat()
            except OSError:
                continue
            if entry.name.startswith(".tmp-"):
                if now - stat.st_mtime > _STALE_TEMP:
                    _remove(entry.path)
                continue
            entries.append((stat.st_mtime, stat.st_size, entry.path))
        entries.sort(reverse=True)  # newest first
        total = 0
        for count, (_, size, path) in enumerate(entries, 1):
            total += size
            if count > max_entries or total > max_bytes:
                _remove(path)


_INVALID = object()


def _decode(data: bytes, name: str) -> Any:
    if not data.startswith(MAGIC):
        return _INVALID
    end = data.find(b"\n", len(MAGIC))
    if end == -1:
        return _INVALID
    payload = memoryview(data)[end + 1:]  # not a copy: a checkpoint is megabytes
    try:
        header = json.loads(data[len(MAGIC):end])
    except ValueError:
        return _INVALID
    if header != json.loads(_header(name, payload)):
        return _INVALID  # another format, tool, Python or name; or not all of it
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return _INVALID


def _temporary(directory: str) -> tuple[int, str]:
    """A new file of this process in ``directory``, opened for writing, and its path: as
    `tempfile.mkstemp` makes one (never an existing name, not followed if a link), whose
    module costs a run that writes one entry more than the writing."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(
        os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    while True:
        path = os.path.join(directory, f".tmp-{os.getpid()}-{os.urandom(6).hex()}")
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue  # another writer's name: draw again


def _write_small(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):  # another run removed it first
        os.remove(path)


def digest(*parts: object) -> str:
    """A hex digest of ``parts`` (their reprs): names entries by what made them."""
    h = hashlib.sha256()
    for part in parts:
        h.update(repr(part).encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    return h.hexdigest()


# --- values ----------------------------------------------------------------------------


def _maker(cls: type) -> Callable[..., object]:
    """How the decoder makes an instance of ``cls`` from its init fields: by setting its
    slots (`values.slot_maker`: a checkpoint's schema is tens of thousands of objects),
    or by calling ``cls`` where that recipe does not cover it."""
    return slot_maker(cls) or cls


class Codec:
    """Frozen dataclasses (and NamedTuples) of the given classes <-> plain values.

    An instance becomes a list ``[tag, field, ...]`` of its init fields (derived fields
    are made again on first use); tuples, frozensets and the persistent maps of the
    schema are walked; lists stand for nothing else, so anything unknown is refused.
    An object met twice is encoded once (marshal then writes it once), and decoded
    once, so what the model shares stays shared.

    Dataclasses deriving from ``open_base`` (each rule's `findings.Facts`, declared in
    the rule's own file) are tagged by module and name instead, and found again among
    the subclasses loaded when decoding; one that is not loaded makes the entry invalid.
    With ``open_as_none`` they decode as None instead, without looking for the class.

    Fields named in ``lazy`` (by class; value classes only) are kept as one `marshal`
    blob per instance and decoded when one of them is first read: a checkpoint's schema
    is tens of thousands of objects, and a run resumed from it reads a few tables
    (`_lazy_class`). Fields outside __init__ named in ``derived`` (by class) are stored
    with the object when they are set (None: made again on first use), so that what a
    lazy object derives from its blob can be answered without decoding it.
    """

    _MAP = -1  # immutables.Map
    _LIST = -2
    _DICT = -3
    _SET = -4  # a frozenset holding encoded objects

    def __init__(self, classes: Iterable[type], leaves: Iterable[type] = (),
                 open_base: type | None = None, open_as_none: bool = False,
                 lazy: Mapping[type, tuple[str, ...]] | None = None,
                 derived: Mapping[type, tuple[str, ...]] | None = None) -> None:
        """``leaves``: classes among ``classes`` whose fields are all plain values,
        encoded and decoded without looking at each field."""
        self.classes = tuple(classes)
        self._leaves = frozenset(self.classes.index(cls) for cls in leaves)
        self._tags = {cls: tag for tag, cls in enumerate(self.classes)}
        self._fields: list[tuple[str, ...]] = []
        # how each class is made when decoding: the classes themselves until the first
        # decode makes the faster makers (`_maker`), which importing need not pay for
        self._makers: list[Callable[..., object]] = list(self.classes)
        self._fast = False
        self._sizes: list[int] = []  # fields + 1 (the tag)
        self._getters: list[Callable[[object], tuple[object, ...]]] = []
        self._open_base = open_base
        self._open_as_none = open_as_none
        # open classes met so far: for encoding by class, for decoding by name
        self._open_specs: dict[type, tuple[str, tuple[str, ...]]] = {}
        self._open_names: dict[str, tuple[type, tuple[str, ...]]] = {}
        for cls in self.classes:
            if dataclasses.is_dataclass(cls):
                self._fields.append(tuple(f.name for f in dataclasses.fields(cls) if f.init))
            elif issubclass(cls, tuple) and hasattr(cls, "_fields"):
                self._fields.append(tuple(cls._fields))
            else:
                raise TypeError(f"{cls.__name__}: neither a dataclass nor a NamedTuple")
            names = (*self._fields[-1], *(derived or {}).get(cls, ()))
            self._sizes.append(len(names) + 1)
            self._getters.append(field_tuple(names))
        # tag -> positions of the init fields kept in a blob; their classes once made
        self._lazy = {self._tags[cls]: tuple(self._fields[self._tags[cls]].index(name)
                                             for name in names)
                      for cls, names in (lazy or {}).items()}
        self._lazy_classes: dict[int, type] = {}
        self._derived = {self._tags[cls]: names for cls, names in (derived or {}).items()}
        self._blob_decoder: tuple[Callable[[object], Any], dict[int, object]] | None = None

    def encode(self, value: object) -> object:
        """``value`` as plain data."""
        return self.encoder()(value)

    def encoder(self) -> Callable[[object], object]:
        """A function that encodes like `encode`, sharing what it met between calls:
        values encoded with one encoder and stored together are stored once."""
        memo: dict[int, tuple[object, object]] = {}
        strings: dict[str, str] = {}
        return lambda value: self._encode(value, memo, strings)

    def _encode(self, value: object, memo: dict[int, tuple[object, object]],
                strings: dict[str, str]) -> object:
        kind = type(value)
        if isinstance(value, str):
            # equal strings as one object: marshal writes it once (a migration's label
            # is in the origin of every column it made)
            return strings.setdefault(value, value)
        if value is None or kind is int or kind is bool or kind is float or kind is bytes:
            return value
        key = id(value)
        done = memo.get(key)
        if done is not None:
            return done[1]
        tag = self._tags.get(kind)
        if tag is not None:
            out: object = self._encode_object(tag, value, memo, strings)
        elif self._open_base is not None and isinstance(value, self._open_base):
            name, names = self._open_spec(kind)
            out = [name, *(self._encode(getattr(value, n), memo, strings) for n in names)]
        else:
            out = self._encode_container(value, memo, strings)
        memo[key] = (value, out)  # the value is kept alive: its id is not reused meanwhile
        return out

    def _encode_object(self, tag: int, value: object, memo: dict[int, tuple[object, object]],
                       strings: dict[Any, Any]) -> list[object]:
        if tag in self._leaves:  # plain values only, by the leaf's own definition
            return [tag, *self._getters[tag](value)]
        fields: tuple[object, ...] | list[object] = self._getters[tag](value)
        lazy = self._lazy.get(tag)
        if lazy is not None:
            # the lazy fields as one blob in the first one's place, None in the others'
            fields = list(fields)
            kept: tuple[Any, ...] = tuple([self._encode(fields[i], memo, strings) for i in lazy])
            blob = marshal.dumps(kept)
            for i in lazy:
                fields[i] = None
            fields[lazy[0]] = blob
        parts: list[object] = [tag]
        append = parts.append
        for field in fields:
            part = type(field)
            if part is str:
                append(strings.setdefault(field, field))
            elif field is None or part is int or part is bool or part is float or part is bytes:
                append(field)
            else:
                append(self._encode(field, memo, strings))
        return parts

    def _open_spec(self, kind: type) -> tuple[str, tuple[str, ...]]:
        spec = self._open_specs.get(kind)
        if spec is None:
            if not dataclasses.is_dataclass(kind):
                raise TypeError(f"cannot cache a {kind.__name__}")
            names = tuple(f.name for f in dataclasses.fields(kind) if f.init)
            spec = self._open_specs[kind] = (f"{kind.__module__}:{kind.__qualname__}", names)
        return spec

    def _open_class(self, name: str) -> tuple[type, tuple[str, ...]]:
        """The open class tagged ``name`` among those loaded now, and its fields."""
        if name not in self._open_names and self._open_base is not None:
            pending: list[type] = [self._open_base]
            while pending:
                subclasses: list[type] = pending.pop().__subclasses__()
                for sub in subclasses:
                    pending.append(sub)
                    if dataclasses.is_dataclass(sub):
                        tag, names = self._open_spec(sub)
                        self._open_names[tag] = (sub, names)
        found = self._open_names.get(name)
        if found is None:
            raise ValueError(f"{name}: no such class loaded")
        return found

    def _encode_container(self, value: object, memo: dict[int, tuple[object, object]],
                          strings: dict[str, str]) -> object:
        if type(value) is tuple:
            return tuple([self._encode(v, memo, strings) for v in value])
        if type(value) is frozenset:
            items = tuple([self._encode(v, memo, strings) for v in value])
            return frozenset(items) if all(not isinstance(i, list) for i in items) else [
                self._SET, items]
        if isinstance(value, Map):
            return [self._MAP, tuple(value.keys()),
                    tuple([self._encode(v, memo, strings) for v in value.values()])]
        if type(value) is list:
            return [self._LIST, *(self._encode(v, memo, strings) for v in value)]
        if type(value) is dict:
            return [self._DICT, tuple(self._encode(k, memo, strings) for k in value),
                    tuple(self._encode(v, memo, strings) for v in value.values())]
        raise TypeError(f"cannot cache a {type(value).__name__}")

    def decode(self, value: object) -> Any:
        """The object ``encode`` made ``value`` from; TypeError/ValueError on anything
        else (the caller treats the entry as invalid)."""
        if not self._fast:
            self._makers = [_maker(cls) if dataclasses.is_dataclass(cls) else cls
                            for cls in self.classes]
            self._fast = True
        return self._decoder()[0](value)

    def _decoder(self) -> tuple[Callable[[object], Any], dict[int, object]]:
        """A function that decodes like `decode`, its state in local names, with a
        function per class that reads its fields in place (`_field_reader`): a
        checkpoint's schema is tens of thousands of objects. And its memo."""
        memo: dict[int, object] = {}
        memo_get = memo.get
        sizes, classes = self._sizes, self.classes
        readers: list[Callable[[list[Any]], object] | None] = [None] * len(classes)

        def decode(value: Any) -> Any:
            kind = type(value)
            if kind is tuple:
                return tuple([v if type(v) is not list and type(v) is not tuple
                              else decode(v) for v in value])
            if kind is not list:
                return value  # None, bool, int, float, str, bytes; frozensets of those
            key = id(value)
            done = memo_get(key)
            if done is not None:
                return done
            tag = value[0]
            if type(tag) is int and tag >= 0:
                if len(value) != sizes[tag]:
                    raise ValueError(f"{classes[tag].__name__}: wrong number of fields")
                reader = readers[tag]
                if reader is None:
                    reader = readers[tag] = self._field_reader(tag, decode)
                out = reader(value)
            else:
                out = self._decode_other(tag, value, decode)
            memo[key] = out
            return out

        return decode, memo

    def _field_reader(self, tag: int, decode: Callable[[object], Any]
                      ) -> Callable[[list[Any]], object]:
        """How an encoded instance of class ``tag`` (its length checked) becomes one:
        its maker called on its fields, each decoded only where it is not plain."""
        maker = self._makers[tag]
        derived = self._derived.get(tag, ())
        count = self._sizes[tag] - 1 - len(derived)
        if tag in self._leaves:  # plain values only, by the leaf's own definition
            return lambda value: maker(*value[1:])

        def field(i: int) -> str:
            return f"(_d(x) if (t := type(x := value[{i}])) is list or t is tuple else x)"

        scope: dict[str, Any] = {"_make": maker, "_d": decode}
        lines = [f" made = _make({', '.join(field(i) for i in range(1, count + 1))})"]
        if (derived or tag in self._lazy) and maker is self.classes[tag]:
            raise TypeError(f"{maker.__name__}: lazy and derived fields need a value class")
        for number, name in enumerate(derived):
            cls = self.classes[tag]
            scope[f"_set{number}"] = next(
                k.__dict__[name] for k in cls.__mro__ if name in k.__dict__).__set__
            at = count + 1 + number
            lines.append(f" if value[{at}] is not None: _set{number}(made, {field(at)})")
        if tag in self._lazy:
            # made with its blob in the first lazy field (bytes: not decoded), then
            # given the class that decodes the blob on first use
            scope["_set"], scope["_lazy"] = object.__setattr__, self._lazy_class(tag)
            lines.append(" _set(made, '__class__', _lazy)")
        exec("def read(value):\n" + "\n".join(lines) + "\n return made\n", scope)
        return cast(Callable[[list[Any]], object], scope["read"])

    def _lazy_class(self, tag: int) -> type:
        """The stand-in for class ``tag`` while its lazy fields are a blob (held in the
        first one's slot): reading one of them, comparing, hashing, printing or copying
        the object decodes the blob into the slots and makes the object an instance of
        the class itself, as if decoded at once."""
        made = self._lazy_classes.get(tag)
        if made is not None:
            return made
        cls: Any = self.classes[tag]
        names = [self._fields[tag][i] for i in self._lazy[tag]]
        slots = [next(k.__dict__[name] for k in cls.__mro__ if name in k.__dict__)
                 for name in names]
        holder = slots[0]
        load = self._load_blob
        set_class = object.__setattr__

        def materialize(obj: object) -> None:
            values = load(holder.__get__(obj, cls))
            for slot, value in zip(slots, values, strict=True):
                slot.__set__(obj, value)
            set_class(obj, "__class__", cls)

        def reader(slot: Any) -> property:
            def read(self: object) -> object:
                materialize(self)
                return slot.__get__(self, cls)
            return property(read)

        def __eq__(self: Any, other: object) -> bool:
            materialize(self)
            if type(other) is stand_in:
                materialize(other)
            return cls.__eq__(self, other)

        def __hash__(self: Any) -> int:
            materialize(self)
            return hash(self)

        def __repr__(self: Any) -> str:
            materialize(self)
            return repr(self)

        def __reduce_ex__(self: Any, protocol: SupportsIndex) -> Any:
            materialize(self)
            return self.__reduce_ex__(protocol)

        def __new__(_: type, *args: Any, **kwargs: Any) -> Any:
            return cls(*args, **kwargs)  # `dataclasses.replace` makes a `cls`

        namespace: dict[str, Any] = {name: reader(slot) for name, slot in zip(names, slots,
                                                                             strict=True)}
        namespace.update(__slots__=(), __module__=cls.__module__, __eq__=__eq__,
                         __hash__=__hash__, __repr__=__repr__, __reduce_ex__=__reduce_ex__,
                         __new__=__new__, __doc__=f"A {cls.__name__} not decoded yet.")
        stand_in = type(f"Lazy{cls.__name__}", (cls,), namespace)
        self._lazy_classes[tag] = stand_in
        self._tags[stand_in] = tag  # encoded as the class (reading its fields decodes it)
        return stand_in

    def _load_blob(self, blob: bytes) -> tuple[Any, ...]:
        """The lazy fields an instance's blob holds, decoded (with a memo of their own:
        no object is shared across instances' blobs)."""
        if self._blob_decoder is None:
            self._blob_decoder = self._decoder()
        decode, memo = self._blob_decoder
        try:
            return cast(tuple[Any, ...], decode(marshal.loads(blob)))
        finally:
            memo.clear()  # the encoded values it is keyed by are freed

    def _decode_other(self, tag: object, value: list[Any],
                      decode: Callable[[object], Any]) -> object:
        """A value `decode` met that is no instance of the codec's classes: an open class
        (a rule's facts) or a container."""
        if isinstance(tag, str) and self._open_as_none:
            return None
        if isinstance(tag, str):
            kind, names = self._open_class(tag)
            if len(value) != len(names) + 1:
                raise ValueError(f"{tag}: wrong number of fields")
            return kind(**{n: decode(v) for n, v in zip(names, value[1:], strict=True)})
        if not isinstance(tag, int) or isinstance(tag, bool):
            raise ValueError("not an encoded value")
        if tag == self._MAP:
            return Map(zip(value[1], decode(value[2]), strict=True))
        if tag == self._LIST:
            return [decode(v) for v in value[1:]]
        if tag == self._DICT:
            return dict(zip(decode(value[1]), decode(value[2]), strict=True))
        if tag == self._SET:
            return frozenset(decode(value[1]))
        raise ValueError(f"unknown tag {tag}")
