"""One ingestion asset per landing source (SPEC §4): landing files → ``raw.<source>`` + quarantine."""

from pathlib import Path

import dagster as dg
from pydantic import Field

from mutwh.spark import hand_over_raw
from mutwh.warehouse import PostgresConnection, is_spark
from orchestration.instance import WAREHOUSE_POOL
from orchestration.keys import landing_key, raw_key
from orchestration.resources import GxResource, WarehouseResource
from sources.contract import SOURCES, Source
from sources.ingest import SourceRefused, SourceShrunk, ingest_source
from sources.ingest_postgres import ingest_into_postgres
from sources.insz import pseudonym_key
from sources.loader import file_label, landing_files

RECONCILIATION_CHECK = "rows_reconcile"
# Metadata of every ingestion: the files it read, so the landing sensor knows what is loaded.
LANDING_FILES_METADATA = "landing_files"


def source_state(landing: Path, source_name: str) -> dict[str, list[int]]:
    """``{"<source>/<file>": [size, mtime_ns]}`` of the files ingestion reads for one source, names
    masked as everywhere they are stored (an INSZ in a file name never reaches the metadata)."""
    state = {}
    source = SOURCES[source_name]
    for path in landing_files(landing, source):
        try:
            stat = path.stat()
        except OSError:  # gone between listing and stat: the next tick sees the folder as it is
            continue
        state[file_label(source, path)] = [stat.st_size, stat.st_mtime_ns]
    return state


def build_landing_spec(source: Source) -> dg.AssetSpec:
    """The landing folder is produced outside Dagster (extracts, uploads): an external asset."""
    return dg.AssetSpec(
        key=landing_key(source.name),
        description=f"Landing files `landing/{source.name}/*.csv|*.parquet`: {source.description}.",
        group_name="landing",
        kinds={"file"},
        metadata={"columns": ", ".join(source.column_names), "key": ", ".join(source.key)},
    )


class IngestionConfig(dg.Config):
    """Run config of an ingestion asset (launchpad, schedules); ``mutwh run --allow-shrink`` and
    ``MUTWH_ALLOW_SHRINK`` do the same from the command line."""

    allow_shrink: bool = Field(
        default=False,
        description="Load even when the source loses all, or more than MUTWH_MAX_SHRINK (default 50 %), of its rows.",
    )


def build_ingestion_asset(source: Source) -> dg.AssetsDefinition:
    @dg.asset(
        key=raw_key(source.name),
        name=None,
        deps=[landing_key(source.name)],
        group_name="raw",
        kinds={"polars", "duckdb"},
        pool=WAREHOUSE_POOL,
        description=(
            f"`raw.{source.name}`: validated rows of `landing/{source.name}`, INSZ pseudonymised; "
            f"rejected rows in `quarantine/{source.name}/`."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                RECONCILIATION_CHECK,
                asset=raw_key(source.name),
                blocking=True,
                description="rows_in = rows_loaded + rows_quarantined: no row disappears silently.",
            )
        ],
    )
    def _ingest(
        context: dg.AssetExecutionContext, warehouse: WarehouseResource, gx: GxResource, config: IngestionConfig
    ):
        paths = warehouse.paths
        allow = True if config.allow_shrink else None  # None: MUTWH_ALLOW_SHRINK decides
        # taken before reading: a file replaced during ingestion differs and is ingested again
        files_read = source_state(paths.landing, source.name)
        with warehouse.connect() as con:
            try:
                if isinstance(con, PostgresConnection):  # rows computed in memory, loaded with COPY
                    result = ingest_into_postgres(
                        paths.landing, source, con, paths.quarantine, pseudonym_key(), allow_shrink=allow
                    )
                else:
                    result = ingest_source(
                        paths.landing, source, con, paths.quarantine, pseudonym_key(), allow_shrink=allow
                    )
                    if is_spark():
                        hand_over_raw(con, paths, source.name)
            except (SourceRefused, SourceShrunk) as exc:
                raise dg.Failure(description=str(exc)) from None
            # the table is committed: GX's sample is read through this connection, not a second open
            gx.table_loaded(
                source.name, paths, say=context.log.warning, con=None if isinstance(con, PostgresConnection) else con
            )
        for warning in result.warnings:
            context.log.warning(warning)
        yield dg.MaterializeResult(
            metadata={
                "rows_in": result.rows_in,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
                "files": dg.MetadataValue.json(result.files),
                "file_sha256": dg.MetadataValue.json({r["file"]: r["sha256"] for r in result.file_records}),
                "quarantine_file": dg.MetadataValue.path(result.quarantine_file),
                "rejection_reasons": dg.MetadataValue.json(result.rejection_reasons),
                "seconds": result.seconds,
                "dagster/row_count": result.rows_loaded,
                LANDING_FILES_METADATA: dg.MetadataValue.json(files_read),
            }
        )
        yield dg.AssetCheckResult(
            check_name=RECONCILIATION_CHECK,
            passed=result.reconciles,
            metadata={
                "rows_in": result.rows_in,
                "rows_loaded": result.rows_loaded,
                "rows_quarantined": result.rows_quarantined,
            },
        )

    return _ingest


landing_specs = [build_landing_spec(s) for s in SOURCES.values()]
ingestion_assets = [build_ingestion_asset(s) for s in SOURCES.values()]
