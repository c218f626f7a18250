"""Compatibility names for numba, which expects ``coverage`` to be coverage.py.

Our import name ``coverage`` is also coverage.py's. numba (>= 0.59, ``numba/misc/coverage_support.py``)
runs ``import coverage`` when it is imported and, if that succeeds, defines a dataclass subclassing
``coverage.types.Tracer`` with fields annotated by the type aliases below. Without these names numba
itself fails to import in any environment where this package is installed (and numba is what the
radio kernels and several geo libraries, e.g. mapclassify, use).

numba only *uses* coverage.py when ``NUMBA_JIT_COVERAGE=1`` (it then calls ``coverage.Coverage.current()``);
leave that variable unset. Nothing in hamlet-coverage uses this module; ``tests/test_package.py``
checks that numba imports and compiles with it.
"""

from __future__ import annotations

from typing import Any


class Tracer:
    """Stand-in base class for numba's ``NumbaTracer`` (coverage.py's ``coverage.types.Tracer``)."""


TTraceData = Any
TShouldTraceFn = Any
TFileDisposition = Any
TShouldStartContextFn = Any
TWarnFn = Any
TTraceFn = Any
