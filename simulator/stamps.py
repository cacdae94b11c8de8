"""Times as the log writes them: simulated minutes rounded to six decimals.

`stamp(x)` is exactly `round(x, 6)`, cheaper: Python's `round(x, 6)` goes through a correctly
rounded decimal conversion (about 3,400 CPU instructions a call, some 70 calls a replication;
this one about 2,000, the call included). Scaled by 10^6 and rounded to an integer in float
arithmetic, the result divided back is the float nearest that decimal, which is what
`round(x, 6)` returns, unless the scaled value is too large for the product to be exact enough or
lies so close to a half that the product's own rounding could tip it: those few go to `round`.
"""

from __future__ import annotations

_LIMIT = 1099511627776.0  # 2**40: below it the product's rounding error is under 2**-12
_HALVES = 6755399441055744.0  # 2**52 + 2**51: adding and taking it away rounds to an integer


def stamp(x: float) -> float:
    y = x * 1e6
    if -_LIMIT < y < _LIMIT:
        r = (y + _HALVES) - _HALVES  # to the nearest integer (ties to even), in float arithmetic
        d = y - r
        if -0.499 < d < 0.499:
            return r / 1e6 if r else x * 0.0  # zero keeps x's sign, as round() does
    return round(x, 6)
