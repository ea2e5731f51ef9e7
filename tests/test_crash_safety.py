"""Crash safety (SPEC §4, §9): a run killed in the middle of ingestion, of dbt or of an export leaves
the previous warehouse state and the previous exports readable and intact, and the next run
recovers without a manual step (stale ``.tmp`` files, the DuckDB WAL, Dagster runs left STARTED
with their warehouse pool slot).

Kills are real: SIGKILL to a subprocess (its whole process group, as a power cut or the OOM
killer would), at points chosen either by watching the run from outside or by a fault injected in
the subprocess. The fast tests kill ingestion and export writing at their critical points; the slow
test kills ``mutwh run`` three times and then lets it recover.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from support.landing import ingest
from support.pipeline import mutwh_env

from exports.tables import ExportColumn, ExportTable, publish_folder
from sources.contract import SOURCES
from sources.ingest import QUARANTINE_FILE
from sources.insz import make_insz

REPO = Path(__file__).resolve().parents[1]
MEMBERS = SOURCES["members"]


def member_lines(first: int, count: int, bad_every: int = 4, born: str = "1970-01", start: str = "2010-01-01") -> str:
    """Members rows of distinct persons (up to 998); every ``bad_every``-th has a wrong postcode."""
    lines = [";".join(MEMBERS.column_names)]
    for i in range(first, first + count):
        postcode = "12" if i % bad_every == 0 else "2000"
        day = f"{born}-{i % 28 + 1:02d}"
        insz = make_insz(f"{day[2:4]}{day[5:7]}{day[8:10]}{i % 999 + 1:03d}", False)
        lines.append(f"{insz};{day};F;{postcode};SOL_ANT;TITULARIS;;{start};")
    return "\n".join(lines) + "\n"


def run_python(script: str, *args: str, env: dict | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})},
        start_new_session=True,
    )


def table_digest(warehouse: Path, table: str) -> tuple[int, str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.sql(f"select * from {table} order by all").fetchall()
    return len(rows), hashlib.sha256(repr(rows).encode()).hexdigest()


# --- ingestion killed at its critical points -------------------------------------------------------

KILLING_INGESTION = """
    import os, signal, sys
    from pathlib import Path
    import duckdb
    import sources.ingest as ingest
    from sources.contract import SOURCES

    home, point = Path(sys.argv[1]), sys.argv[2]

    def die():
        os.kill(os.getpid(), signal.SIGKILL)

    class Connection:  # forwards to DuckDB, dies at the chosen statement
        def __init__(self, con):
            self.con = con
        def execute(self, sql, *args):
            if point == "before_transaction" and sql == "begin transaction":
                die()
            if point == "before_commit" and sql == "commit":
                die()
            return self.con.execute(sql, *args)
        def __getattr__(self, name):
            return getattr(self.con, name)

    real_replace = os.replace
    def replace(src, dst):
        if point == "after_commit" and str(dst).endswith("quarantine.csv"):
            die()
        return real_replace(src, dst)
    ingest.os.replace = replace

    con = duckdb.connect(str(home / "warehouse.duckdb"))
    ingest.ingest_source(home / "landing", SOURCES["members"], Connection(con), home / "quarantine", b"test-key")
    print("not killed")
"""


@pytest.mark.parametrize("point", ["before_transaction", "before_commit", "after_commit"])
def test_ingestion_killed_keeps_a_consistent_warehouse_and_the_next_run_recovers(home, point):
    landing = home / "landing" / "members"
    landing.mkdir(parents=True)
    (landing / "members_2023-01.csv").write_text(member_lines(1, 400), encoding="utf-8")
    first = ingest(home, "members")
    previous_table = table_digest(home / "warehouse.duckdb", "raw.members")
    quarantine = home / "quarantine" / "members" / QUARANTINE_FILE
    previous_quarantine = quarantine.read_bytes()

    (landing / "members_2023-02.csv").write_text(member_lines(401, 400), encoding="utf-8")
    killed = run_python(KILLING_INGESTION, str(home), point)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr

    # the warehouse opens (DuckDB replays only committed transactions from its WAL) and holds the
    # previous table, or the new one when the kill came after the commit
    after_kill = table_digest(home / "warehouse.duckdb", "raw.members")
    if point == "after_commit":
        assert after_kill[0] == first.rows_loaded + 300
    else:
        assert after_kill == previous_table
    assert quarantine.read_bytes() == previous_quarantine, "the quarantine file is replaced whole or not at all"
    # the quarantine is written aside inside the transaction, once every file is checked
    stale = (quarantine.parent / f".{QUARANTINE_FILE}.tmp").exists()
    assert stale == (point != "before_transaction"), "the kill came after the temporary file, if at all"

    recovered = ingest(home, "members")
    assert (recovered.rows_in, recovered.rows_loaded, recovered.rows_quarantined) == (800, 600, 200)
    assert table_digest(home / "warehouse.duckdb", "raw.members")[0] == 600
    assert len(quarantine.read_text().splitlines()) == 201
    assert [p.name for p in quarantine.parent.iterdir()] == [QUARANTINE_FILE], "no stale temporary file"


# --- an export folder killed half-way ----------------------------------------------------------------


def export_tables(version: int) -> list[ExportTable]:
    columns = [ExportColumn("year", "int"), ExportColumn("leden", "int")]
    return [
        ExportTable(name, columns, [{"year": 2023, "leden": version * 1000 + i} for i in range(50)])
        for name in ("key_figures", "finance", "staff_fte")
    ]


KILLING_EXPORT = """
    import os, signal, sys
    from pathlib import Path
    import exports.tables as tables
    sys.path.insert(0, str(Path.cwd() / "tests"))
    from test_crash_safety import export_tables

    folder, landing = Path(sys.argv[1]), Path(sys.argv[2])
    real = tables.write_csv_atomic
    calls = []
    def dying(target, rows, columns):
        calls.append(target)
        if len(calls) == 2:  # the first file is published; die while writing the second
            target.with_name(f".{target.name}.tmp").write_text("year,leden\\n2023,20")
            os.kill(os.getpid(), signal.SIGKILL)
        return real(target, rows, columns)
    tables.write_csv_atomic = dying
    tables.publish_folder(folder, export_tables(2), "annual_report.xlsx", "run-2", landing, [])
"""


def folder_bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_export_killed_half_way_leaves_only_whole_files_and_the_next_run_cleans_up(home):
    folder = home / "exports" / "2023" / "annual_report"
    publish_folder(folder, export_tables(1), "annual_report.xlsx", "run-1", home / "landing", [])
    previous = folder_bytes(folder)

    killed = run_python(KILLING_EXPORT, str(folder), str(home / "landing"))
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    after = folder_bytes(folder)
    visible = {name: data for name, data in after.items() if not name.startswith(".")}
    assert set(visible) == set(previous), "no file disappears"
    for name, data in visible.items():
        if name.endswith(".csv"):
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
            assert len(rows) == 50, f"{name} is torn"
    assert visible["finance.csv"] == previous["finance.csv"]
    assert visible["manifest.json"] == previous["manifest.json"]
    staging = folder.parent / ".annual_report.staging"
    assert (staging / ".finance.csv.tmp").exists(), "the torn file stays hidden in the staging folder"

    publish_folder(folder, export_tables(2), "annual_report.xlsx", "run-3", home / "landing", [])
    assert not [name for name in folder_bytes(folder) if name.startswith(".")], "the next run leaves no temporary file"
    assert not [p.name for p in folder.parent.iterdir() if p.name.startswith(".")], "nor a staging folder"


def test_export_killed_half_way_leaves_the_previous_folder_as_a_whole(home):
    folder = home / "exports" / "2023" / "annual_report"
    publish_folder(folder, export_tables(1), "annual_report.xlsx", "run-1", home / "landing", [])
    previous = folder_bytes(folder)
    killed = run_python(KILLING_EXPORT, str(folder), str(home / "landing"))
    assert killed.returncode == -signal.SIGKILL
    assert {k: v for k, v in folder_bytes(folder).items() if not k.startswith(".")} == previous


# --- mutwh run killed in ingestion, in dbt and in an export, then recovering (slow) --------------------------


def snapshot_exports(home: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(home)): p.read_bytes()
        for folder in ("exports", "dashboards")
        for p in sorted((home / folder).rglob("*"))
        if p.is_file()
    }


def warehouse_readable(home: Path) -> dict[str, int]:
    """Row count of every table and view, opened as the next run opens it (read-write)."""
    with duckdb.connect(str(home / "warehouse.duckdb")) as con:
        relations = con.sql("select table_schema, table_name from information_schema.tables order by all").fetchall()
        return {f"{s}.{t}": con.sql(f'select count(*) from "{s}"."{t}"').fetchall()[0][0] for s, t in relations}


def start_run(home: Path, years: str, log: Path, fault: str | None = None) -> subprocess.Popen:
    """``mutwh run`` in its own process group, output to ``log``; ``fault="export"`` kills the
    group while it writes the second CSV of an export."""
    env = mutwh_env(home, PYTHONUNBUFFERED="1")
    if fault == "export":
        command = [
            sys.executable,
            "-c",
            textwrap.dedent("""
            import os, signal, sys
            import exports.tables as tables
            real, calls = tables.write_csv_atomic, []
            def dying(target, rows, columns):
                calls.append(target)
                if len(calls) == 2:
                    target.with_name(f".{target.name}.tmp").write_text(",".join(columns) + "\\n2023,")
                    os.killpg(0, signal.SIGKILL)
                return real(target, rows, columns)
            tables.write_csv_atomic = dying
            from orchestration.cli import main
            sys.exit(main(sys.argv[1:]))
        """),
            "run",
            "--years",
            years,
        ]
    else:
        command = [sys.executable, "-m", "orchestration.cli", "run", "--years", years]
    with open(log, "w", encoding="utf-8") as out:
        return subprocess.Popen(
            command, cwd=REPO, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT
        )


def wait_until(run: subprocess.Popen, condition, what: str, timeout: float = 1200) -> None:
    deadline = time.time() + timeout
    while not condition():
        assert run.poll() is None, f"the run ended before {what}"
        assert time.time() < deadline, f"no {what} within {timeout} s"
        time.sleep(0.05)


def finish(run: subprocess.Popen, log: Path, timeout: float = 1800) -> str:
    run.wait(timeout=timeout)
    return log.read_text(encoding="utf-8", errors="replace")


def kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=60)


@pytest.mark.slow
def test_mutwh_run_killed_three_times_then_recovers(home, tmp_path):
    from sources.generator import generate

    years = "2022-2023"
    generate(home / "landing", [2022, 2023], scale=0.001, seed=5, clean=True, fmt="parquet", progress=False)
    output = finish(start_run(home, years, tmp_path / "baseline.log"), tmp_path / "baseline.log")
    assert "build run" in output and "succeeded" in output, output[-3000:]
    exports_a = snapshot_exports(home)
    assert any(name.endswith("key_figures.csv") for name in exports_a)
    tables_a = warehouse_readable(home)

    # a month of new members lands, so that every later run has something new to publish
    (home / "landing" / "members" / "members_2023-12_extra.csv").write_text(
        member_lines(1, 120, bad_every=10**6, born="1931-03", start="2023-06-01"), encoding="utf-8"
    )

    # 1. killed in ingestion, as soon as the first source has been swapped
    stamps = {p: p.stat().st_mtime_ns for p in (home / "quarantine").rglob(QUARANTINE_FILE)}
    run = start_run(home, years, tmp_path / "ingest.log")
    wait_until(
        run,
        lambda: any(p.stat().st_mtime_ns != stamps.get(p) for p in (home / "quarantine").rglob(QUARANTINE_FILE)),
        "a source was ingested",
    )
    kill_group(run)
    assert snapshot_exports(home) == exports_a
    after = warehouse_readable(home)
    assert {k: v for k, v in after.items() if not k.startswith("raw.")} == {
        k: v for k, v in tables_a.items() if not k.startswith("raw.")
    }

    # 2. killed in dbt, after its third table model
    log = tmp_path / "dbt.log"
    run = start_run(home, years, log)
    wait_until(
        run, lambda: log.read_text(errors="replace").count("OK created sql table model") >= 3, "three dbt table models"
    )
    kill_group(run)
    assert "was left unfinished by a killed `mutwh`: marked failed" in log.read_text()
    assert snapshot_exports(home) == exports_a
    assert set(warehouse_readable(home)) == set(tables_a)

    # 3. killed while writing the second CSV of an export
    output = finish(start_run(home, years, tmp_path / "export.log", fault="export"), tmp_path / "export.log")
    assert output.count("was left unfinished by a killed `mutwh`: marked failed") == 1, output[-3000:]
    assert list((home / "exports").rglob(".*.tmp")), "the fault must have left a temporary file"
    now = snapshot_exports(home)
    assert {k for k in now if "/." not in k} == set(exports_a), "no export disappears"
    for name, data in now.items():
        if name.endswith(".csv") and "/." not in name:
            text = data.decode("utf-8")
            assert text.endswith("\n") and text.splitlines()[0] == exports_a[name].decode().splitlines()[0], (
                f"{name} is torn"
            )
    # the yearly folders are published whole: the one being written when the run died is the previous one
    yearly = {k: v for k, v in exports_a.items() if k.startswith("exports/20")}
    assert {k: v for k, v in now.items() if k in yearly} == yearly

    # 4. the next run recovers on its own
    output = finish(start_run(home, years, tmp_path / "recover.log"), tmp_path / "recover.log")
    assert output.count("was left unfinished by a killed `mutwh`: marked failed") == 1, output[-3000:]
    assert "exports:" in output and "(partitions 2022, 2023" in output, output[-3000:]
    assert not [p for p in home.rglob("*.tmp") if "landing" not in p.parts], "stale temporary files"
    assert not [p for p in (home / "exports").rglob(".*") if p.is_dir()], "stale staging folders"
    import dagster as dg

    os.environ["DAGSTER_HOME"] = str(home / "dagster")
    with dg.DagsterInstance.get() as instance:
        assert instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED])) == []
        for key in instance.event_log_storage.get_concurrency_keys():
            assert instance.event_log_storage.get_concurrency_info(key).claimed_slots == []
    exports_b = snapshot_exports(home)
    name = "exports/2023/annual_report/key_figures.csv"

    def leden(data: bytes) -> int:
        return next(
            int(r["leden"]) for r in csv.DictReader(io.StringIO(data.decode())) if r["ziekenfonds_code"] == "ALL"
        )

    assert leden(exports_b[name]) == leden(exports_a[name]) + 120, "the recovered run publishes the new month"
    assert set(warehouse_readable(home)) == set(tables_a)
