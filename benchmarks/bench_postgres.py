"""``make bench``: the dbt build time on PostgreSQL next to DuckDB's (issue 9).

Measured when ``BENCH_POSTGRES=1`` (a throw-away local cluster is started when no ``PGHOST`` is
set; see ``benchmarks.postgres_cluster``) or when ``PGHOST`` names a server that answers;
otherwise the report says "not measured" and why. The raw tables are loaded first (untimed, the
same ingestion as ``MUTWH_TARGET=postgres`` runs), then ``dbt build`` alone is timed in its own
process, with the same arguments as the DuckDB stage, so that the two columns compare like for like.

``bench.py`` uses ``postgres_dbt_build(home, env, measure)`` and renders ``column(result)``.
``python -m benchmarks.bench_postgres load|dbt`` are the stage processes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from mutwh.home import Home

PYTHON = sys.executable
NOT_MEASURED = "not measured"


def server_reason(env: dict) -> str | None:
    """None when a PostgreSQL server is to be measured with ``env``, else why not."""
    wanted = env.get("BENCH_POSTGRES", "").strip() in ("1", "true", "yes")
    if not wanted and not env.get("PGHOST"):
        return (
            "no PostgreSQL server: set BENCH_POSTGRES=1 (local throw-away cluster) or PGHOST/PGPORT/PGUSER/PGDATABASE"
        )
    if env.get("PGHOST"):
        import psycopg2

        try:
            psycopg2.connect(
                **{
                    k: env[v]
                    for k, v in (
                        ("host", "PGHOST"),
                        ("port", "PGPORT"),
                        ("user", "PGUSER"),
                        ("password", "PGPASSWORD"),
                        ("dbname", "PGDATABASE"),
                    )
                    if env.get(v)
                },
                connect_timeout=5,
            ).close()
        except psycopg2.OperationalError as error:
            return (
                f"PostgreSQL at {env['PGHOST']}:{env.get('PGPORT', '5432')} not reachable: {str(error).strip()[:200]}"
            )
    return None


def postgres_dbt_build(home: Path, env: dict, measure: Callable) -> dict:
    """``{"wall_s", "cpu_s", "peak_rss_mib", "server"}`` of ``dbt build`` on PostgreSQL on the landing
    zone of ``home``, or ``{"not_measured": reason}``. ``measure`` is bench.py's (stage, command, env)."""
    reason = server_reason(env)
    if reason:
        return {"not_measured": reason}
    cluster = None
    pg_env = dict(env) | {"MUTWH_TARGET": "postgres", "MUTWH_HOME": str(home), "DAGSTER_HOME": str(home / "dagster")}
    try:
        if not env.get("PGHOST"):
            from benchmarks.postgres_cluster import Unavailable, start_cluster

            try:
                cluster = start_cluster(Path(tempfile.mkdtemp(prefix="mutwh-bench-pg-")))
            except Unavailable as error:
                return {"not_measured": f"no local PostgreSQL cluster: {error}"}
            pg_env |= cluster.env
        subprocess.run(
            [PYTHON, "-m", "benchmarks.bench_postgres", "load"],
            env=pg_env,
            check=True,
            capture_output=True,
            text=True,
        )
        timing = measure("dbt build (PostgreSQL)", [PYTHON, "-m", "benchmarks.bench_postgres", "dbt"], pg_env)
        server = "local throw-away cluster" if cluster else f"{pg_env['PGHOST']}:{pg_env.get('PGPORT', '5432')}"
        return {"wall_s": timing.wall_s, "cpu_s": timing.cpu_s, "peak_rss_mib": timing.peak_rss_mib, "server": server}
    except subprocess.CalledProcessError as error:
        return {"not_measured": f"loading the raw tables into PostgreSQL failed: {error.stderr.strip()[-300:]}"}
    finally:
        if cluster is not None:
            cluster.stop()
            shutil.rmtree(cluster.root, ignore_errors=True)


def column(result: dict | None) -> str:
    """The report's cell: seconds, or "not measured (why)"."""
    if not result or "not_measured" in result:
        return f"{NOT_MEASURED} ({(result or {}).get('not_measured', 'timed at scale 0.1 only')})"
    return f"{result['wall_s']:,.2f} s wall, {result['cpu_s']:,.2f} s CPU ({result['server']})"


def load(home: Home) -> int:
    """Every landing source into ``raw`` on the server, as the ingestion assets do."""
    from mutwh.warehouse import connect_postgres
    from sources.contract import SOURCES
    from sources.ingest_postgres import ingest_into_postgres
    from sources.insz import pseudonym_key

    rows = 0
    con = connect_postgres()
    try:
        for source in SOURCES.values():
            rows += ingest_into_postgres(home.landing, source, con, home.quarantine, pseudonym_key()).rows_loaded
    finally:
        con.close()
    return rows


def dbt(home: Home) -> int:
    from mutwh.warehouse import connect_postgres
    from orchestration.dbt_command import run_dbt_build

    run_dbt_build()
    con = connect_postgres(read_only=True)
    try:
        return con.sql("select count(*) from raw.members").fetchall()[0][0]
    finally:
        con.close()


def main(argv: list[str]) -> None:
    home = Home.from_env()
    stage = argv[0]
    if os.environ.get("MUTWH_TARGET") != "postgres":
        raise SystemExit("benchmarks.bench_postgres runs with MUTWH_TARGET=postgres")
    rows = {"load": load, "dbt": dbt}[stage](home)
    print(json.dumps({"stage": stage, "rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1:])
