"""Radio: predicted RSRP, SINR and throughput rasters from the layers.

Path-loss models (:mod:`~coverage.radio.propagation`), terrain diffraction and clutter
(:mod:`~coverage.radio.terrain`), antenna patterns (:mod:`~coverage.radio.antennas`), the link budget
(:mod:`~coverage.radio.linkbudget`), settings (:mod:`~coverage.radio.config`), the grid and rasters read on it
(:mod:`~coverage.radio.grid`), what a prediction writes (:mod:`~coverage.radio.outputs`) and the raster engine
(:mod:`~coverage.radio.engine`) with its numba kernels. Reads layers; never imports the assessment or planning.

The engine's names are imported on first use: numba imports ``coverage`` itself (see ``coverage/types.py``),
so importing this package, or anything that needs only its grid and settings, must not import numba.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coverage.radio.config import RadioConfig, radio_config
from coverage.radio.grid import Grid
from coverage.radio.outputs import Prediction
from coverage.radio.propagation import path_loss_db

if TYPE_CHECKING:
    from coverage.radio.engine import predict, update_prediction

_ENGINE = ("predict", "update_prediction")


def __getattr__(name: str) -> object:
    if name in _ENGINE:
        from coverage.radio import engine

        return getattr(engine, name)
    raise AttributeError(f"module 'coverage.radio' has no attribute {name!r}")


__all__ = ["Grid", "Prediction", "RadioConfig", "path_loss_db", "predict", "radio_config", "update_prediction"]
