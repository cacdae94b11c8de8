"""Keep freed memory in the process while Monte Carlo runs.

A batch of 25,000 replications makes arrays of a few megabytes, drops them and makes them again
for the next batch. glibc's malloc gives blocks that large back to the kernel when freed (mmap
above a threshold that only grows with the sizes seen, the top of the heap trimmed above
another), so each new array is page-faulted in afresh: on a comparison of four plans at
100,000 each, about a fifth of the wall time went to system time. Raising both thresholds keeps
those pages in the process to be reused; the peak is what the batches need at once, as before.
"""

from __future__ import annotations

import sys

# glibc's mallopt parameters (malloc.h) and the values set: below 32 MB from the heap, and the
# heap's top given back only above 256 MB
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest allowed: HEAP_MAX_SIZE / 2 on 64-bit
TRIM_THRESHOLD = 256 << 20

_kept = False


def keep_freed_memory() -> bool:
    """Raise glibc's thresholds for this process, once; False where there is no glibc (macOS,
    Windows, musl) or it refused, and nothing changes."""
    global _kept
    if _kept or not sys.platform.startswith("linux"):
        return _kept
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        _kept = bool(
            libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)
            and libc.mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
        )
    except (OSError, AttributeError):  # no mallopt: not glibc
        _kept = False
    return _kept
