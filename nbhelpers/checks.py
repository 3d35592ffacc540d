"""Argument checks shared by the modules: one place for the wording of "bad input" errors."""

from __future__ import annotations

import math
import numbers

import numpy as np


def check_int(name: str, value, minimum: int = 1) -> int:
    """``value`` as an int >= ``minimum``; ints and NumPy integers only (no bools, floats or strings).

    Raises
    ------
    ValueError
        Naming the argument, what it must be and what it got.
    """
    kind = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be {kind}, got {value!r}")
    return int(value)


def check_positive_float(name: str, value) -> float:
    """``value`` as a finite float > 0 (numbers only, no bools or strings)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    if value <= 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


def check_bool(name: str, value) -> bool:
    """``value`` if it is a bool (a string such as "False" would otherwise count as True)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_cell(cell) -> str:
    """ "lstm" or "gru" (case-insensitive)."""
    name = cell.lower() if isinstance(cell, str) else cell
    if name not in ("lstm", "gru"):
        raise ValueError(f"cell must be 'lstm' or 'gru', got {cell!r}")
    return name


def check_indices(name: str, indices, size: int) -> np.ndarray:
    """``indices`` as an integer array with every entry in [0, size)."""
    arr = np.asarray(indices)
    if arr.size == 0:
        return arr.astype(np.int64)
    if not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{name} must hold integer indices, got dtype {arr.dtype}")
    if arr.min() < 0 or arr.max() >= size:
        raise ValueError(
            f"{name} must be in [0, {size}), got min {arr.min()} max {arr.max()}; "
            f"do the indices come from the same vocabulary (vocab_size={size})?"
        )
    return arr
