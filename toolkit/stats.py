"""The interval arithmetic every layer shares: Wilson's score interval for a proportion and the
checks on the counts it is formed from.  It lives below the layers so that text mining (coding
shares) and analysis (indicators) use the one interval without one importing the other."""
from __future__ import annotations

import math

__all__ = ["Z95", "is_missing", "check_counts", "wilson_interval"]

#: The normal quantile for a two-sided 95% interval.
Z95 = 1.959963984540054


def is_missing(value) -> bool:
    """True for a value that is not there: ``None``, NaN, ``pd.NA``."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pd.NA
        return True


def check_counts(successes, trials, what: str = "wilson_interval") -> None:
    """Refuse counts no proportion can be formed from: a negative or non-integer count, or more
    successes than trials (``ValueError`` naming both numbers).  Missing values pass (they give
    no interval)."""
    for name, v in (("numerator", successes), ("denominator", trials)):
        if is_missing(v):
            continue
        x = float(v)
        if x < 0 or not x.is_integer():
            raise ValueError(f"{what}: the {name} must be a whole count of cases, not {v!r}")
    if not is_missing(successes) and not is_missing(trials) and float(successes) > float(trials):
        raise ValueError(f"{what}: numerator {float(successes):g} exceeds denominator {float(trials):g}; "
                         "a proportion counts cases out of the cases it is drawn from (a ratio has no "
                         "Wilson interval)")


def wilson_interval(successes, trials, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """Wilson score interval for *successes* out of *trials* (95% by default).

    Returns ``(low, high)``, or ``(None, None)`` when it is undefined: trials
    or successes missing, or trials 0.  Counts no proportion can be formed
    from — negative, non-integer, or more successes than trials — raise
    ``ValueError`` (a ratio, such as ``dispute_rate``, gets no interval).

    >>> [round(x, 4) for x in wilson_interval(1, 1)]
    [0.2065, 1.0]
    """
    if is_missing(successes) or is_missing(trials):
        return None, None
    check_counts(successes, trials)
    k, n = float(successes), float(trials)
    if n == 0:
        return None, None
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # At k = 0 (k = n) the bound is 0 (1) exactly; rounding would leave 1e-17 in a CSV.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return low, high
