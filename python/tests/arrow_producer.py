"""An Arrow C Data Interface producer and consumer written with ctypes alone.

crv_io exchanges data through the Arrow C Data Interface and the Arrow PyCapsule
protocol. Testing that against crv_io's own exporter would be circular, and pyarrow is
not installed here, so this module implements both ends from the specification:

  https://arrow.apache.org/docs/format/CDataInterface.html
  https://arrow.apache.org/docs/format/CStreamInterface.html
  https://arrow.apache.org/docs/format/CDataInterface/PyCapsuleInterface.html

Producer side: `ArrowProducer` builds int64 ("l"), float64 ("g"), utf8 ("u"), bool ("b"),
struct ("+s") and list ("+l") arrays from Python lists (None is null), record batches as
"+s" arrays, and objects exposing `__arrow_c_stream__` and `__arrow_c_array__`. It counts
every release call per structure and records the `requested_schema` it was given. Buffers
stay allocated for the producer's lifetime; a release poisons their values, so a consumer
that keeps reading after releasing sees wrong values (instead of right ones by luck, or
a crash).

Consumer side: `consume_stream_capsule`, `read_schema_capsule` and `read_array` decode
what crv_io exports, calling its callbacks the way a foreign consumer (DuckDB, Polars)
would.
"""

from __future__ import annotations

import ctypes
import itertools
import threading
from ctypes import CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int64, c_void_p
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence

import numpy as np

ARROW_FLAG_NULLABLE = 2

# --- the ABI structures -----------------------------------------------------------------


class ArrowSchema(Structure):
    pass


class ArrowArray(Structure):
    pass


class ArrowArrayStream(Structure):
    pass


SchemaRelease = CFUNCTYPE(None, POINTER(ArrowSchema))
ArrayRelease = CFUNCTYPE(None, POINTER(ArrowArray))
StreamGetSchema = CFUNCTYPE(c_int, POINTER(ArrowArrayStream), POINTER(ArrowSchema))
StreamGetNext = CFUNCTYPE(c_int, POINTER(ArrowArrayStream), POINTER(ArrowArray))
# Returns const char*. A Python callback cannot return c_char_p safely (ctypes would
# hand out a pointer into a temporary), so the address is returned as c_void_p.
StreamGetLastError = CFUNCTYPE(c_void_p, POINTER(ArrowArrayStream))
StreamRelease = CFUNCTYPE(None, POINTER(ArrowArrayStream))

ArrowSchema._fields_ = [
    ("format", c_char_p),
    ("name", c_char_p),
    ("metadata", c_void_p),  # binary, not NUL-terminated text
    ("flags", c_int64),
    ("n_children", c_int64),
    ("children", POINTER(POINTER(ArrowSchema))),
    ("dictionary", POINTER(ArrowSchema)),
    ("release", SchemaRelease),
    ("private_data", c_void_p),
]
ArrowArray._fields_ = [
    ("length", c_int64),
    ("null_count", c_int64),
    ("offset", c_int64),
    ("n_buffers", c_int64),
    ("n_children", c_int64),
    ("buffers", POINTER(c_void_p)),
    ("children", POINTER(POINTER(ArrowArray))),
    ("dictionary", POINTER(ArrowArray)),
    ("release", ArrayRelease),
    ("private_data", c_void_p),
]
ArrowArrayStream._fields_ = [
    ("get_schema", StreamGetSchema),
    ("get_next", StreamGetNext),
    ("get_last_error", StreamGetLastError),
    ("release", StreamRelease),
    ("private_data", c_void_p),
]

# --- PyCapsule access -------------------------------------------------------------------

SCHEMA_CAPSULE = b"arrow_schema"
ARRAY_CAPSULE = b"arrow_array"
STREAM_CAPSULE = b"arrow_array_stream"

# The capsule keeps a pointer to its name, so every name handed to PyCapsule_New lives
# as long as the module: these interned byte strings, looked up by value.
_CAPSULE_NAMES: dict[bytes, ctypes.Array] = {}

# The destructor receives the dying capsule as a raw pointer: taking it as py_object
# would resurrect an object whose reference count already reached zero.
CapsuleDestructor = CFUNCTYPE(None, c_void_p)

_pythonapi = ctypes.pythonapi
_pythonapi.PyCapsule_New.restype = ctypes.py_object
_pythonapi.PyCapsule_New.argtypes = [c_void_p, c_void_p, CapsuleDestructor]
_pythonapi.PyCapsule_GetPointer.restype = c_void_p
_pythonapi.PyCapsule_GetPointer.argtypes = [ctypes.py_object, c_char_p]
_pythonapi.PyCapsule_GetName.restype = c_char_p
_pythonapi.PyCapsule_GetName.argtypes = [ctypes.py_object]
_pythonapi.PyCapsule_IsValid.restype = c_int
_pythonapi.PyCapsule_IsValid.argtypes = [ctypes.py_object, c_char_p]
# For the destructor, which only has the raw pointer.
_capsule_get_pointer_raw = ctypes.PYFUNCTYPE(c_void_p, c_void_p, c_void_p)(
    ("PyCapsule_GetPointer", _pythonapi)
)
_capsule_get_name_raw = ctypes.PYFUNCTYPE(c_void_p, c_void_p)(("PyCapsule_GetName", _pythonapi))


def _immortal(callback):
    """Keeps a ctypes callback (and its C thunk) alive until the process ends.

    A capsule or an array that a consumer still holds may be destroyed during interpreter
    shutdown, after this module's globals are cleared; its release must then still
    find a live thunk, or the process crashes on exit."""
    _pythonapi.Py_IncRef(ctypes.py_object(callback))
    return callback


def _interned_name(name: bytes) -> ctypes.Array:
    if name not in _CAPSULE_NAMES:
        _CAPSULE_NAMES[name] = ctypes.create_string_buffer(name)
    return _CAPSULE_NAMES[name]


def capsule_name(capsule: object) -> Optional[str]:
    """The name of a PyCapsule (None for an unnamed one)."""
    name = _pythonapi.PyCapsule_GetName(capsule)
    return None if name is None else name.decode()


def is_capsule(value: object) -> bool:
    return type(value).__name__ == "PyCapsule"


def capsule_pointer(capsule: object, name: bytes) -> int:
    """The pointer a capsule holds; ValueError when its name is not `name`."""
    if not _pythonapi.PyCapsule_IsValid(capsule, name):
        raise ValueError(f"not a PyCapsule named {name.decode()!r}: {capsule!r}")
    return _pythonapi.PyCapsule_GetPointer(capsule, name)


# Structures owned by capsules of this module, by address, with their type, so the one
# destructor can release whichever kind it is given.
_CAPSULE_CONTENTS: dict[int, tuple[type, object]] = {}


@_immortal
@CapsuleDestructor
def _release_capsule_contents(
    capsule_address,
    # Bound here, not looked up in the module: see _immortal.
    contents=_CAPSULE_CONTENTS,
    get_name=_capsule_get_name_raw,
    get_pointer=_capsule_get_pointer_raw,
):
    # The PyCapsule protocol: a consumer that imported the structure moved it out and set
    # its release to NULL; otherwise the capsule still owns it and releases it here.
    name = get_name(capsule_address)
    address = get_pointer(capsule_address, name)
    struct_type, _keep_alive = contents.pop(address)
    struct = struct_type.from_address(address)
    if struct.release:
        struct.release(ctypes.byref(struct))


def make_capsule(struct: Structure, name: bytes) -> object:
    """A PyCapsule named `name` that owns `struct` (released on destruction unless a
    consumer moved it out)."""
    address = ctypes.addressof(struct)
    _CAPSULE_CONTENTS[address] = (type(struct), struct)
    return _pythonapi.PyCapsule_New(address, ctypes.addressof(_interned_name(name)),
                                    _release_capsule_contents)


# --- types of the producer ----------------------------------------------------------------


@dataclass(frozen=True)
class DataType:
    """An Arrow type by its format string; struct and list types carry child fields."""

    format: str
    children: tuple["Field", ...] = ()
    # The physical layout the values are stored with, for formats this module only
    # produces to test refusals (e.g. a timestamp "tsu:" stored as int64).
    physical: Optional[str] = None

    @property
    def layout(self) -> str:
        return self.physical or self.format


@dataclass(frozen=True)
class Field:
    name: str
    type: DataType
    nullable: bool = True


INT64 = DataType("l")
FLOAT64 = DataType("g")
UTF8 = DataType("u")
BOOL = DataType("b")
TIMESTAMP_US = DataType("tsu:", physical="l")


def struct(*fields: Field) -> DataType:
    return DataType("+s", tuple(fields))


def list_of(item: DataType, nullable: bool = True) -> DataType:
    return DataType("+l", (Field("item", item, nullable),))


def schema_of(**types: DataType) -> list[Field]:
    """Top-level nullable fields, in keyword order."""
    return [Field(name, dtype) for name, dtype in types.items()]


# --- the producer -------------------------------------------------------------------------


@dataclass
class _Node:
    """One structure handed out (a schema, an array or a stream, root or child)."""

    kind: str  # "schema", "array" or "stream"
    label: str
    releases: int = 0
    children: list = field(default_factory=list)  # the child Structures, owned here
    buffers: list = field(default_factory=list)  # ctypes buffers to poison on release
    keep_alive: list = field(default_factory=list)


_NODES: dict[int, _Node] = {}
_NODE_IDS = itertools.count(1)
_NODES_LOCK = threading.Lock()


def _new_node(kind: str, label: str) -> int:
    with _NODES_LOCK:
        node_id = next(_NODE_IDS)
        _NODES[node_id] = _Node(kind, label)
    return node_id


def _poison(buffers: list) -> None:
    # 0x5A is 'Z': strings stay valid UTF-8 but read "ZZZ", integers and doubles change.
    for buffer in buffers:
        ctypes.memset(buffer, 0x5A, ctypes.sizeof(buffer))


# The release callbacks bind what they use as default arguments rather than reading
# module globals, which are gone during interpreter shutdown (see _immortal).


def _release_children(node, byref=ctypes.byref):
    for child in node.children:
        if child.release:
            child.release(byref(child))


@_immortal
@SchemaRelease
def _release_schema(pointer, nodes=_NODES, release_children=_release_children, null=SchemaRelease):
    schema = pointer.contents
    node = nodes[schema.private_data]
    node.releases += 1
    release_children(node)
    schema.release = null()


@_immortal
@ArrayRelease
def _release_array(pointer, nodes=_NODES, release_children=_release_children, poison=_poison, null=ArrayRelease):
    array = pointer.contents
    node = nodes[array.private_data]
    node.releases += 1
    release_children(node)
    # Buffers stay allocated (a consumer reading after release sees the poison rather
    # than reused memory, and does not crash).
    poison(node.buffers)
    array.release = null()


@_immortal
@StreamRelease
def _release_stream(pointer, nodes=_NODES, null=StreamRelease):
    stream = pointer.contents
    node = nodes[stream.private_data]
    node.releases += 1
    stream.release = null()


def _validity_bitmap(valid: Sequence[bool]) -> ctypes.Array:
    bits = np.packbits(np.asarray(valid, dtype=bool), bitorder="little") if valid else b""
    data = bytes(bits)
    return ctypes.create_string_buffer(data, max(len(data), 1))


def _buffer_pointers(buffers: Sequence[Optional[ctypes.Array]]) -> ctypes.Array:
    pointers = (c_void_p * max(len(buffers), 1))()
    for index, buffer in enumerate(buffers):
        pointers[index] = None if buffer is None else ctypes.addressof(buffer)
    return pointers


class ArrowProducer:
    """Builds Arrow C structures from Python values and tracks their lifetime.

    Every structure handed out is a node with a release counter; `release_counts()`
    and `assert_released_once()` let a test check the consumer's side of the contract.
    """

    def __init__(self) -> None:
        self.node_ids: list[int] = []
        # What every __arrow_c_stream__ / __arrow_c_array__ call was given.
        self.requested_schemas: list[object] = []
        # How often get_schema and get_next were called, over all streams.
        self.get_schema_calls = 0
        self.get_next_calls = 0

    # -- bookkeeping ----------------------------------------------------------------

    def _node(self, kind: str, label: str) -> int:
        node_id = _new_node(kind, label)
        self.node_ids.append(node_id)
        return node_id

    def release_counts(self) -> dict[str, int]:
        """Release calls per structure handed out, by a readable label."""
        return {f"{_NODES[i].kind} {_NODES[i].label} #{i}": _NODES[i].releases for i in self.node_ids}

    def structures(self, kind: Optional[str] = None) -> int:
        return sum(1 for i in self.node_ids if kind is None or _NODES[i].kind == kind)

    def released(self, kind: Optional[str] = None) -> int:
        """How many structures (of `kind`) were released at least once."""
        return sum(
            1 for i in self.node_ids if (kind is None or _NODES[i].kind == kind) and _NODES[i].releases
        )

    def assert_released_once(self) -> None:
        """Every structure handed out was released exactly once."""
        wrong = {label: count for label, count in self.release_counts().items() if count != 1}
        assert not wrong, f"structures not released exactly once: {wrong}"

    def assert_never_released_twice(self) -> None:
        twice = {label: count for label, count in self.release_counts().items() if count > 1}
        assert not twice, f"structures released more than once: {twice}"

    # -- schemas ----------------------------------------------------------------------

    def build_schema(self, fld: Field) -> ArrowSchema:
        node_id = self._node("schema", fld.name)
        node = _NODES[node_id]
        schema = ArrowSchema()
        format_bytes = fld.type.format.encode()
        name_bytes = fld.name.encode()
        node.keep_alive += [format_bytes, name_bytes]
        schema.format = format_bytes
        schema.name = name_bytes
        schema.metadata = None
        schema.flags = ARROW_FLAG_NULLABLE if fld.nullable else 0
        children = [self.build_schema(child) for child in fld.type.children]
        pointers = (POINTER(ArrowSchema) * max(len(children), 1))()
        for index, child in enumerate(children):
            pointers[index] = ctypes.pointer(child)
        node.children = children
        node.keep_alive.append(pointers)
        schema.n_children = len(children)
        schema.children = ctypes.cast(pointers, POINTER(POINTER(ArrowSchema)))
        schema.dictionary = None
        schema.release = _release_schema
        schema.private_data = node_id
        return schema

    def build_batch_schema(self, fields: Sequence[Field]) -> ArrowSchema:
        """A record batch's schema: a non-nullable "+s" with one child per column."""
        return self.build_schema(Field("", struct(*fields), nullable=False))

    # -- arrays -----------------------------------------------------------------------

    def build_array(
        self,
        values: Sequence[Any],
        dtype: DataType,
        *,
        label: str = "",
        offset: int = 0,
        unknown_null_count: bool = False,
    ) -> ArrowArray:
        """An array of `values` (None is null). With `offset`, the buffers start with
        `offset` padding slots the array skips, as in a slice."""
        padded = ([values[0]] * offset if values else [None] * offset) + list(values)
        node_id = self._node("array", label)
        node = _NODES[node_id]
        valid = [value is not None for value in padded]
        null_count = sum(1 for value in values if value is None)
        validity = _validity_bitmap(valid) if not all(valid) else None
        buffers: list[Optional[ctypes.Array]] = [validity]
        children: list[ArrowArray] = []
        layout = dtype.layout
        if layout == "l":
            data = (c_int64 * max(len(padded), 1))(*[0 if v is None else v for v in padded])
            buffers.append(data)
            node.buffers.append(data)
        elif layout == "g":
            data = (ctypes.c_double * max(len(padded), 1))(*[0.0 if v is None else v for v in padded])
            buffers.append(data)
            node.buffers.append(data)
        elif layout == "b":
            data = _validity_bitmap([bool(v) for v in padded])
            buffers.append(data)
            node.buffers.append(data)
        elif layout == "u":
            encoded = [b"" if v is None else v.encode() for v in padded]
            offsets = (ctypes.c_int32 * (len(padded) + 1))(
                *itertools.accumulate((len(e) for e in encoded), initial=0)
            )
            joined = b"".join(encoded)
            data = ctypes.create_string_buffer(joined, max(len(joined), 1))
            buffers += [offsets, data]
            node.buffers.append(data)
        elif layout == "+s":
            for child in dtype.children:
                member = [None if row is None else row.get(child.name) for row in padded]
                children.append(self.build_array(member, child.type, label=f"{label}.{child.name}"))
        elif layout == "+l":
            (item,) = dtype.children
            lengths = [0 if v is None else len(v) for v in padded]
            offsets = (ctypes.c_int32 * (len(padded) + 1))(*itertools.accumulate(lengths, initial=0))
            flattened = [x for v in padded if v is not None for x in v]
            buffers.append(offsets)
            children.append(self.build_array(flattened, item.type, label=f"{label}[]"))
        else:
            raise ValueError(f"this producer does not build format {dtype.format!r}")
        array = ArrowArray()
        array.length = len(values)
        array.null_count = -1 if unknown_null_count else null_count
        array.offset = offset
        pointers = _buffer_pointers(buffers)
        array.n_buffers = len(buffers)
        array.buffers = ctypes.cast(pointers, POINTER(c_void_p))
        child_pointers = (POINTER(ArrowArray) * max(len(children), 1))()
        for index, child in enumerate(children):
            child_pointers[index] = ctypes.pointer(child)
        array.n_children = len(children)
        array.children = ctypes.cast(child_pointers, POINTER(POINTER(ArrowArray)))
        array.dictionary = None
        array.release = _release_array
        array.private_data = node_id
        node.children = children
        node.keep_alive += [buffers, pointers, child_pointers]
        return array

    def build_batch(self, fields: Sequence[Field], columns: dict[str, Sequence[Any]], **options) -> ArrowArray:
        """A record batch: a "+s" array without nulls whose children are the columns.
        `options` (offset, unknown_null_count) apply to every column."""
        lengths = {len(columns[f.name]) for f in fields}
        assert len(lengths) == 1, f"columns of unequal lengths: {lengths}"
        node_id = self._node("array", "batch")
        node = _NODES[node_id]
        children = [self.build_array(columns[f.name], f.type, label=f.name, **options) for f in fields]
        buffers: list[Optional[ctypes.Array]] = [None]
        pointers = _buffer_pointers(buffers)
        child_pointers = (POINTER(ArrowArray) * max(len(children), 1))()
        for index, child in enumerate(children):
            child_pointers[index] = ctypes.pointer(child)
        batch = ArrowArray()
        batch.length = lengths.pop()
        batch.null_count = 0
        batch.offset = 0
        batch.n_buffers = 1
        batch.buffers = ctypes.cast(pointers, POINTER(c_void_p))
        batch.n_children = len(children)
        batch.children = ctypes.cast(child_pointers, POINTER(POINTER(ArrowArray)))
        batch.dictionary = None
        batch.release = _release_array
        batch.private_data = node_id
        node.children = children
        node.keep_alive += [buffers, pointers, child_pointers]
        return batch

    # -- PyCapsule sources --------------------------------------------------------------

    def stream(self, fields: Sequence[Field], batches: Sequence[dict[str, Sequence[Any]]], **options) -> "StreamSource":
        return StreamSource(self, list(fields), list(batches), **options)

    def array(self, fields: Sequence[Field], columns: dict[str, Sequence[Any]], **options) -> "ArraySource":
        return ArraySource(self, list(fields), columns, **options)

    def schema_capsule(self, fields: Sequence[Field]) -> object:
        """A record batch schema as an "arrow_schema" capsule."""
        return make_capsule(self.build_batch_schema(fields), SCHEMA_CAPSULE)


class StreamSource:
    """An object with __arrow_c_stream__, as Polars or pyarrow tables are.

    Every call hands out a new stream over the same batches, unless `reuse_capsule`
    makes it return its first capsule again (to test a consumed capsule's second use).
    `fail_at_batch` makes get_next fail at that batch with `error_message`.
    `capsule_name` overrides the capsule's name (to test the consumer's name check).
    """

    def __init__(
        self,
        producer: ArrowProducer,
        fields: list[Field],
        batches: list[dict[str, Sequence[Any]]],
        *,
        capsule_name: bytes = STREAM_CAPSULE,
        reuse_capsule: bool = False,
        fail_at_batch: Optional[int] = None,
        error_message: str = "the producer failed on purpose",
        **batch_options,
    ) -> None:
        self.producer = producer
        self.fields = fields
        self.batches = batches
        self.capsule_name = capsule_name
        self.reuse_capsule = reuse_capsule
        self.fail_at_batch = fail_at_batch
        self.error_message = ctypes.create_string_buffer(error_message.encode())
        self.batch_options = batch_options
        self.calls = 0
        self._capsule: Optional[object] = None
        self._cursors: dict[int, int] = {}  # stream node -> next batch index
        # The stream callbacks close over this object; ctypes needs them referenced
        # for as long as a consumer may call them.
        self._callbacks = (
            _immortal(StreamGetSchema(self._get_schema)),
            _immortal(StreamGetNext(self._get_next)),
            _immortal(StreamGetLastError(self._get_last_error)),
        )

    def __arrow_c_stream__(self, requested_schema: Optional[object] = None) -> object:
        self.calls += 1
        self.producer.requested_schemas.append(requested_schema)
        if self.reuse_capsule and self._capsule is not None:
            return self._capsule
        node_id = self.producer._node("stream", "stream")
        self._cursors[node_id] = 0
        stream = ArrowArrayStream()
        stream.get_schema, stream.get_next, stream.get_last_error = self._callbacks
        stream.release = _release_stream
        stream.private_data = node_id
        capsule = make_capsule(stream, self.capsule_name)
        if self.reuse_capsule:
            self._capsule = capsule
        return capsule

    def _get_schema(self, stream_pointer, out):
        self.producer.get_schema_calls += 1
        schema = self.producer.build_batch_schema(self.fields)
        ctypes.memmove(out, ctypes.byref(schema), ctypes.sizeof(ArrowSchema))
        return 0

    def _get_next(self, stream_pointer, out):
        self.producer.get_next_calls += 1
        node_id = stream_pointer.contents.private_data
        index = self._cursors[node_id]
        if self.fail_at_batch is not None and index == self.fail_at_batch:
            return 5  # EIO
        if index >= len(self.batches):
            ctypes.memset(out, 0, ctypes.sizeof(ArrowArray))  # end of stream: release NULL
            return 0
        self._cursors[node_id] = index + 1
        batch = self.producer.build_batch(self.fields, self.batches[index], **self.batch_options)
        ctypes.memmove(out, ctypes.byref(batch), ctypes.sizeof(ArrowArray))
        return 0

    def _get_last_error(self, stream_pointer):
        return ctypes.addressof(self.error_message)


class ArraySource:
    """An object with __arrow_c_array__: one record batch as (schema, array) capsules."""

    def __init__(
        self,
        producer: ArrowProducer,
        fields: list[Field],
        columns: dict[str, Sequence[Any]],
        *,
        schema_capsule_name: bytes = SCHEMA_CAPSULE,
        array_capsule_name: bytes = ARRAY_CAPSULE,
        **batch_options,
    ) -> None:
        self.producer = producer
        self.fields = fields
        self.columns = columns
        self.schema_capsule_name = schema_capsule_name
        self.array_capsule_name = array_capsule_name
        self.batch_options = batch_options
        self.calls = 0

    def __arrow_c_array__(self, requested_schema: Optional[object] = None) -> tuple[object, object]:
        self.calls += 1
        self.producer.requested_schemas.append(requested_schema)
        schema = self.producer.build_batch_schema(self.fields)
        array = self.producer.build_batch(self.fields, self.columns, **self.batch_options)
        return (
            make_capsule(schema, self.schema_capsule_name),
            make_capsule(array, self.array_capsule_name),
        )


# --- the consumer ---------------------------------------------------------------------------


@dataclass
class ImportedField:
    """A field as an ArrowSchema describes it."""

    name: str
    format: str
    nullable: bool
    children: list["ImportedField"]

    def describe(self) -> Any:
        """A comparable summary: the format, with children for nested types."""
        if not self.children:
            return self.format
        return (self.format, [(c.name, c.describe()) for c in self.children])


def field_from_imported(imported: ImportedField) -> Field:
    """The producer's Field for a field read from a schema, e.g. to request that schema."""
    children = tuple(field_from_imported(child) for child in imported.children)
    return Field(imported.name, DataType(imported.format, children), imported.nullable)


def read_schema(address: int) -> ImportedField:
    schema = ArrowSchema.from_address(address)
    assert schema.release, "schema already released"
    children = [
        read_schema(ctypes.addressof(schema.children[i].contents)) for i in range(schema.n_children)
    ]
    return ImportedField(
        name=(schema.name or b"").decode(),
        format=schema.format.decode(),
        nullable=bool(schema.flags & ARROW_FLAG_NULLABLE),
        children=children,
    )


def read_schema_capsule(capsule: object) -> ImportedField:
    """Reads an "arrow_schema" capsule without consuming it (the capsule releases it)."""
    return read_schema(capsule_pointer(capsule, SCHEMA_CAPSULE))


def _buffer(array: ArrowArray, index: int) -> Optional[int]:
    return array.buffers[index] if index < array.n_buffers else None


def _bits(address: Optional[int], start: int, count: int) -> list[bool]:
    """`count` bits from bit `start` of a bitmap; all set when the bitmap is absent."""
    if address is None:
        return [True] * count
    if count == 0:
        return []
    first, last = start // 8, (start + count + 7) // 8
    raw = np.frombuffer((ctypes.c_uint8 * (last - first)).from_address(address + first), dtype=np.uint8)
    bits = np.unpackbits(raw, bitorder="little")
    return bits[start - first * 8 : start - first * 8 + count].astype(bool).tolist()


def _numbers(address: int, ctype, start: int, count: int) -> np.ndarray:
    if count == 0:
        return np.empty(0)
    return np.ctypeslib.as_array((ctype * count).from_address(address + start * ctypes.sizeof(ctype)))


def read_array(array: ArrowArray, fld: ImportedField, start: int = 0, count: Optional[int] = None) -> list[Any]:
    """The values of `array` (as described by `fld`) at logical indices
    [start, start + count), as Python values: None, int, float, str, bool, dict, list."""
    if count is None:
        count = array.length - start
    base = array.offset + start
    if fld.format == "n":
        return [None] * count
    valid = _bits(_buffer(array, 0), base, count)
    fmt = fld.format
    if fmt in ("l", "g"):
        values = _numbers(array.buffers[1], c_int64 if fmt == "l" else ctypes.c_double, base, count).tolist()
    elif fmt == "b":
        values = _bits(array.buffers[1], base, count)
    elif fmt in ("u", "U"):
        offset_type = ctypes.c_int32 if fmt == "u" else c_int64
        offsets = _numbers(array.buffers[1], offset_type, base, count + 1).tolist()
        data = array.buffers[2] or 0  # may be NULL when every string is empty
        values = [
            ctypes.string_at(data + offsets[i], offsets[i + 1] - offsets[i]).decode()
            if offsets[i + 1] > offsets[i] else ""
            for i in range(count)
        ]
    elif fmt == "+s":
        columns = [
            read_array(array.children[i].contents, child, base, count)
            for i, child in enumerate(fld.children)
        ]
        values = [{child.name: column[row] for child, column in zip(fld.children, columns)} for row in range(count)]
    elif fmt in ("+l", "+L"):
        offset_type = ctypes.c_int32 if fmt == "+l" else c_int64
        offsets = _numbers(array.buffers[1], offset_type, base, count + 1).tolist() if count else [0]
        items = read_array(array.children[0].contents, fld.children[0], offsets[0], offsets[-1] - offsets[0])
        values = [items[offsets[i] - offsets[0] : offsets[i + 1] - offsets[0]] for i in range(count)]
    else:
        raise AssertionError(f"unexpected Arrow format {fmt!r} for field {fld.name!r}")
    return [value if ok else None for value, ok in zip(values, valid)]


def read_batch(array: ArrowArray, schema: ImportedField) -> dict[str, list[Any]]:
    """A record batch ("+s" without nulls) as a dict of columns."""
    assert schema.format == "+s", schema.format
    assert array.null_count <= 0 and all(_bits(_buffer(array, 0), array.offset, array.length)), (
        "a record batch has no null rows"
    )
    return {
        child.name: read_array(array.children[i].contents, child, array.offset, array.length)
        for i, child in enumerate(schema.children)
    }


@dataclass
class ConsumedStream:
    schema: ImportedField
    batches: list[dict[str, list[Any]]]

    def column(self, name: str) -> list[Any]:
        return [value for batch in self.batches for value in batch[name]]

    def to_pydict(self) -> dict[str, list[Any]]:
        return {child.name: self.column(child.name) for child in self.schema.children}


def _check(code: int, stream: ArrowArrayStream, what: str) -> None:
    if code != 0:
        address = stream.get_last_error(ctypes.byref(stream)) if stream.get_last_error else None
        message = ctypes.string_at(address) if address else b""
        raise RuntimeError(f"{what} failed with errno {code}: {message.decode(errors='replace')}")


def _release(struct: Structure, what: str) -> None:
    struct.release(ctypes.byref(struct))
    assert not struct.release, f"{what}'s release must mark it released"


def consume_stream_capsule(capsule: object, *, arrays_outlive_stream: bool = False) -> ConsumedStream:
    """Imports an "arrow_array_stream" capsule as a consumer must: moves the stream out
    (the capsule's copy is marked released), reads the schema and every batch, and
    releases each structure once.

    By default each array is read and released before the next get_next. With
    `arrays_outlive_stream` every array is fetched first, the schema and the stream
    are released, and only then are the arrays read: the C stream interface lets
    arrays outlive the stream that produced them."""
    address = capsule_pointer(capsule, STREAM_CAPSULE)
    source = ArrowArrayStream.from_address(address)
    assert source.release, "stream already released"
    stream = ArrowArrayStream()
    ctypes.memmove(ctypes.byref(stream), address, ctypes.sizeof(ArrowArrayStream))
    source.release = StreamRelease()
    pending: list[ArrowArray] = []
    batches = []
    try:
        schema_struct = ArrowSchema()
        _check(stream.get_schema(ctypes.byref(stream), ctypes.byref(schema_struct)), stream, "get_schema")
        try:
            schema = read_schema(ctypes.addressof(schema_struct))
            while True:
                array = ArrowArray()
                _check(stream.get_next(ctypes.byref(stream), ctypes.byref(array)), stream, "get_next")
                if not array.release:
                    break
                if arrays_outlive_stream:
                    pending.append(array)
                    continue
                try:
                    batches.append(read_batch(array, schema))
                finally:
                    _release(array, "an array")
        finally:
            _release(schema_struct, "a schema")
    finally:
        _release(stream, "a stream")
    for array in pending:
        try:
            batches.append(read_batch(array, schema))
        finally:
            _release(array, "an array")
    return ConsumedStream(schema, batches)


def oracle_schema(schema: ImportedField) -> dict[str, Any]:
    """The oracle's schema JSON (tests/conformance/README.md) of a record batch schema."""
    names = {"l": "int64", "g": "float64", "u": "utf8", "b": "bool"}

    def type_of(fld: ImportedField) -> Any:
        if fld.format in names:
            return names[fld.format]
        if fld.format == "+s":
            return {"struct": [column_of(child) for child in fld.children]}
        if fld.format == "+l":
            item = fld.children[0]
            return {"list": {"type": type_of(item), "nullable": item.nullable}}
        raise AssertionError(f"no oracle type for Arrow format {fld.format!r}")

    def column_of(fld: ImportedField) -> dict[str, Any]:
        return {"name": fld.name, "type": type_of(fld), "nullable": fld.nullable}

    return {"columns": [column_of(child) for child in schema.children]}
