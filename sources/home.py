"""The data directory ``$MUTWH_HOME`` (SPEC §2): everything the product writes lives under it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

HOME_ENV = "MUTWH_HOME"
DEFAULT_HOME = "data"


@dataclass(frozen=True)
class Home:
    root: Path

    @classmethod
    def from_env(cls) -> "Home":
        """Resolve ``$MUTWH_HOME`` (default ``./data``) to an absolute path and export it.

        dbt's profile and child processes read the variable, so it is made absolute once here.
        """
        root = Path(os.environ.get(HOME_ENV) or DEFAULT_HOME).expanduser().resolve()
        os.environ[HOME_ENV] = str(root)
        return cls(root)

    @property
    def landing(self) -> Path:
        return self.root / "landing"

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    @property
    def warehouse(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def exports(self) -> Path:
        return self.root / "exports"

    @property
    def dashboards(self) -> Path:
        return self.root / "dashboards"

    @property
    def gx(self) -> Path:
        return self.root / "gx"

    @property
    def dagster(self) -> Path:
        return self.root / "dagster"

    def ensure(self) -> "Home":
        for path in (self.landing, self.quarantine, self.exports, self.dashboards, self.gx, self.dagster):
            path.mkdir(parents=True, exist_ok=True)
        return self
