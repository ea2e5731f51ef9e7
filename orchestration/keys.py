"""Asset keys, written in one place: a landing folder is ``landing/<source>``, its table in the
warehouse ``raw/<source>``, a seed ``reference/<seed>`` and a dbt model ``<layer>/<model>``
(``staging``, ``intermediate``, ``marts``). The dbt translator (defs/transform/assets.py) gives dbt
nodes these keys; tests/test_selections.py checks that the jobs select what they should by them."""

from __future__ import annotations

import dagster as dg

LANDING, RAW, REFERENCE, MARTS = "landing", "raw", "reference", "marts"
GX_CHECK = "gx_suite"  # the Great Expectations check of each raw table (defs/ingestion/checks.py)


def landing_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([LANDING, source])


def raw_key(source: str) -> dg.AssetKey:
    return dg.AssetKey([RAW, source])


def seed_key(seed: str) -> dg.AssetKey:
    return dg.AssetKey([REFERENCE, seed])


def model_key(layer: str, model: str) -> dg.AssetKey:
    return dg.AssetKey([layer, model])


def mart_key(model: str) -> dg.AssetKey:
    return model_key(MARTS, model)
