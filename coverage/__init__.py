"""hamlet-coverage: mobile-broadband and fibre coverage of a province's hamlets."""

from __future__ import annotations

__version__ = "0.1.0"
