"""Turning NumPy columns into Arrow tables of the raw contract.

Generators keep numbers: ids as int64, timestamps as int64 microseconds, money as int64
kopecks, codes as indexes into a vocabulary, with -1 meaning null. Conversion happens
once per table here, so exact decimals and null handling live in one place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.raw.contract import Kind, Table

_SCALES = {Kind.MONEY: 2, Kind.QUANTITY: 4, Kind.RATE: 8}
ID_DIGITS = 7

Values = np.ndarray | pa.Array


def ids(prefix: str, chunk: int, numbers: np.ndarray) -> pa.Array:
    """``D-003-0000042``: the chunk in every id keeps ids unique across chunks."""
    numbers = np.asarray(numbers, dtype=np.int64)
    text = pc.cast(pa.array(numbers, mask=numbers < 0), pa.string())
    padded = pc.utf8_lpad(text, width=ID_DIGITS, padding="0")
    return pc.binary_join_element_wise(f"{prefix}-{chunk:03d}", padded, "-")


def codes(vocabulary: Sequence[str], index: np.ndarray) -> pa.Array:
    """Vocabulary values by position; -1 gives null."""
    index = np.asarray(index, dtype=np.int64)
    return pa.array(list(vocabulary), pa.string()).take(pa.array(index, mask=index < 0))


def decimal(unscaled: np.ndarray, scale: int) -> pa.Array:
    """Exact decimal128(18, scale) from integer units (kopecks for money)."""
    low = np.asarray(unscaled, dtype=np.int64)
    words = np.empty((low.size, 2), dtype="<i8")
    words[:, 0] = low
    words[:, 1] = low >> 63  # sign extension to 128 bits
    buffer = pa.py_buffer(words.tobytes())
    return pa.Array.from_buffers(pa.decimal128(18, scale), low.size, [None, buffer])


def _convert(kind: Kind, values: Values) -> pa.Array:
    if isinstance(values, pa.Array):
        return values
    if kind is Kind.TS:
        return pa.array(values.astype("datetime64[us]"), mask=values < 0)
    if kind is Kind.DATE:
        return pa.array(values.astype("datetime64[D]"), mask=values < 0)
    if kind is Kind.BOOL:
        return pa.array(values.astype(bool))
    if kind is Kind.INT:
        return pa.array(values.astype(np.int64), mask=values < 0)
    if kind in _SCALES:
        return decimal(values, _SCALES[kind])
    raise TypeError(f"string column needs an Arrow array, got {type(values).__name__}")


def to_table(
    table: Table, columns: Mapping[str, Values], deleted: np.ndarray | None = None
) -> pa.Table:
    """Columns in contract order; CRM tables also get ``is_deleted``."""
    arrays = [_convert(column.kind, columns[column.name]) for column in table.columns]
    names = list(table.column_names)
    if table.deletable:
        length = len(arrays[0])
        arrays.append(pa.array(np.zeros(length, bool) if deleted is None else deleted))
        names.append("is_deleted")
    return pa.Table.from_arrays(arrays, names=names)


Frame = dict[str, np.ndarray]
"""A table as NumPy columns (ids, codes, times as integers; -1 is null)."""

NEVER = np.iinfo(np.int64).max // 4
"""Working time of an event that does not happen."""


def concat(*frames: Frame) -> Frame:
    return {name: np.concatenate([frame[name] for frame in frames]) for name in frames[0]}


def take(frame: Frame, index: np.ndarray) -> Frame:
    return {name: values[index] for name, values in frame.items()}
