"""``make bench``: measure every stage of the pipeline at several scales and write BENCHMARKS.md.

Each stage runs in its own process (``python -m benchmarks.stages``) so that ``os.wait4``
reports exactly its wall time, CPU time (user + system, children included) and peak RSS. Landing
zones are generated once per (scale, seed) and cached under ``$MUTWH_HOME/bench/``. The lower
bound is one DuckDB pass that only reads every landing file once; the end-to-end run is
``mutwh run`` itself. Every number in the report comes from the run.

Environment: ``BENCH_SCALES`` (default ``0.001,0.01,1,3.5``, the scales of issue 20's targets), ``BENCH_SEED`` (42),
``BENCH_YEARS`` (2021-2023), ``BENCH_OUT`` (default ``BENCHMARKS.md``). At scale 0.1 the dbt build
is also timed on PostgreSQL when ``BENCH_POSTGRES=1`` or ``PGHOST`` names a reachable server
(``benchmarks.bench_postgres``); otherwise its column says "not measured" and why.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from benchmarks import bench_postgres
from mutwh.home import Home
from sources.contract import SOURCES

PYTHON = sys.executable
MONTHLY_DMW_SOURCES = ("dmw_registrations", "dmw_proactive_actions", "dmw_housing_advice", "dmw_aid_loans")
# Issue 20's targets for `mutwh run` end to end, per scale: (seconds, MiB of all processes or None, what it stands for)
TARGETS = {
    0.001: (10.0, None, "fixed cost (3 300 members)"),
    0.01: (15.0, None, "demo"),
    1.0: (60.0, 3 * 1024, "Solidaris-sized landsbond"),
    3.5: (240.0, 4 * 1024, "national scale, memory flat in scale"),
}
DEFAULT_SCALES = "0.001,0.01,1,3.5"
SLOWEST_DBT_NODES = 8
TREE_SAMPLE_S = 0.2
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
POSTGRES_SCALE = 0.1  # the dbt build is also timed on PostgreSQL at this scale (issue 9)


@dataclass
class Measure:
    stage: str
    wall_s: float
    cpu_s: float
    peak_rss_mib: float
    rows: int | None
    command: str
    peak_tree_mib: float | None = None  # the sum over the process and its children (sampled)
    exit_code: int = 0  # mutwh run exits 1 when a blocking check fails: nothing is published

    @property
    def rows_per_s(self) -> float | None:
        return self.rows / self.wall_s if self.rows and self.wall_s > 0 else None


def _tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, read from /proc."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stat:
                    parents[int(entry.name)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    total = 0
    for pid in tree:
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * PAGE_SIZE
        except (OSError, IndexError, ValueError):
            continue
    return total


def _sample_tree(root: int, stop: threading.Event, peak: list[int]) -> None:
    while not stop.wait(TREE_SAMPLE_S):
        peak[0] = max(peak[0], _tree_rss_bytes(root))


def measure(stage: str, command: list[str], env: dict, rows: int | None = None) -> Measure:
    """Run one command alone and read its resource usage from ``wait4``; the peak of the whole
    process tree (e.g. ``mutwh run`` plus the dbt it starts) is sampled from /proc meanwhile, since
    ``wait4`` only gives the largest single process. Output goes to temporary files, not pipes: a
    pipe nobody reads fills up and blocks a chatty child (dbt) forever."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        stop, tree_peak = threading.Event(), [0]
        sampler = threading.Thread(target=_sample_tree, args=(process.pid, stop, tree_peak), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        stop.set()
        sampler.join()
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if process.returncode not in (0, 1):  # mutwh run exits 1 when data checks fail: still a timing
        raise RuntimeError(f"{stage} failed ({process.returncode}): {' '.join(command)}\n{stderr[-3000:]}")
    for line in reversed(stdout.strip().splitlines()):
        if line.startswith("{"):
            rows = json.loads(line).get("rows", rows)
            break
    single = round(usage.ru_maxrss / 1024, 1)
    return Measure(
        stage,
        round(wall, 2),
        round(usage.ru_utime + usage.ru_stime, 2),
        single,
        rows,
        " ".join(Path(c).name if i == 0 else c for i, c in enumerate(command)),
        max(single, round(tree_peak[0] / 2**20, 1)),
        process.returncode,
    )


def landing_for(bench_root: Path, scale: float, seed: int, years: str, env: dict) -> tuple[Path, Measure]:
    """The cached landing zone of (scale, seed), generated (and timed) on first use."""
    cache = bench_root / f"landing_scale{scale:g}_seed{seed}_{years}"
    timing = cache / "_bench_generate.json"
    if timing.exists():
        return cache, Measure(**json.loads(timing.read_text()))
    shutil.rmtree(cache, ignore_errors=True)
    result = measure(
        "generate",
        [
            PYTHON,
            "-m",
            "orchestration.cli",
            "generate",
            "--out",
            str(cache),
            "--years",
            years,
            "--scale",
            str(scale),
            "--seed",
            str(seed),
            "--no-progress",
        ],
        env,
    )
    manifest = json.loads((cache / "_generator_manifest.json").read_text())
    result.rows = sum(s["rows"] for s in manifest["sources"].values())
    timing.write_text(json.dumps(asdict(result)))
    return cache, result


def fresh_home(root: Path, landing: Path, hold_back: list[Path] | None = None) -> Path:
    """A clean MUTWH_HOME whose landing/ links the cached files (minus those held back)."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "landing").mkdir(parents=True)
    held = {p.resolve() for p in hold_back or []}
    for folder in sorted(p for p in landing.iterdir() if p.is_dir()):
        (root / "landing" / folder.name).mkdir()
        for file in sorted(folder.iterdir()):
            if file.resolve() not in held:
                (root / "landing" / folder.name / file.name).symlink_to(file.resolve())
    return root


def last_month_files(landing: Path) -> tuple[str, list[Path]]:
    months = sorted({p.stem.rsplit("_", 1)[-1] for s in MONTHLY_DMW_SOURCES for p in (landing / s).glob("*_????-??.*")})
    if not months:
        return "", []
    last = months[-1]
    return last, [p for s in MONTHLY_DMW_SOURCES for p in (landing / s).glob(f"*_{last}.*")]


def bench_scale(scale: float, seed: int, years: str, bench_root: Path, base_env: dict) -> dict:
    env = dict(base_env)
    landing, generated = landing_for(bench_root, scale, seed, years, env)
    home = fresh_home(bench_root / f"home_scale{scale:g}", landing)
    env |= {
        "MUTWH_HOME": str(home),
        "DAGSTER_HOME": str(home / "dagster"),
        # dbt's target folder is $MUTWH_HOME/dbt/target (orchestration.dbt_command.dbt_target_path)
        "DBT_LOG_PATH": str(bench_root / f"dbt_logs_scale{scale:g}"),
    }
    stage = [PYTHON, "-m", "benchmarks.stages"]

    stages = [generated, measure("lower bound (read every file once)", stage + ["lower_bound"], env)]
    first, _, last = years.partition("-")
    stages.append(measure(PLAIN_SQL, stage + ["plain_sql", first, last or first], env))
    for name in SOURCES:
        stages.append(measure(f"ingest {name}", stage + ["ingest", name], env))
    stages.append(measure(f"gx ({len(SOURCES)} suites, one process)", stage + ["gx"], env))
    stages.append(measure("dbt build", stage + ["dbt"], env))
    postgres = bench_postgres.postgres_dbt_build(home, env, measure) if scale == POSTGRES_SCALE else None
    stages.append(measure("exports", stage + ["exports"], env))
    stages.append(measure("dashboards", stage + ["dashboards"], env))

    # End to end as an operator runs it, on a fresh home, holding back the last month of DMW files
    # so that the incremental run below has something new to pick up.
    month, held = last_month_files(landing)
    home = fresh_home(bench_root / f"home_scale{scale:g}", landing, hold_back=held)
    end_to_end = measure("mutwh run (end to end)", [PYTHON, "-m", "orchestration.cli", "run", "--years", years], env)
    dbt_nodes = dbt_node_profile(home / "dbt" / "target" / "run_results.json")  # before the incremental run's
    dagster_steps = dagster_step_profile(home / "dagster", end_to_end.wall_s)
    incremental = None
    if held:
        for file in held:
            (home / "landing" / file.parent.name / file.name).symlink_to(file.resolve())
        incremental = measure(
            f"incremental: DMW files of {month} added, dmw_monthly job",
            [PYTHON, "-m", "orchestration.cli", "run", "--job", "dmw_monthly", "--partition", f"{month}-01"],
            env,
        )
    return {
        "scale": scale,
        "dbt_nodes": dbt_nodes,
        "dagster_steps": dagster_steps,
        "stages": [asdict(m) | {"rows_per_s": m.rows_per_s} for m in stages],
        "end_to_end": asdict(end_to_end),
        "incremental": asdict(incremental) if incremental else None,
        "lower_bound_s": stages[1].wall_s,
        "plain_sql_s": stages[2].wall_s,
        "postgres_dbt_build": postgres,
    }


def dagster_step_profile(dagster_home: Path, wall_s: float) -> dict | None:
    """Where the end-to-end run spent its time, from the Dagster event log it left in ``dagster_home``:
    per run its span and how long before its first step started (run creation: the planned
    materializations and checks, one SQLite write each), per step its span, and what lies outside
    every run (process start-up, imports, the manifest)."""
    if not (dagster_home / "dagster.yaml").is_file():
        return None
    code = f"""
import json, os, dagster as dg
os.environ["DAGSTER_HOME"] = {str(dagster_home)!r}
runs, steps = [], {{}}
with dg.DagsterInstance.get() as instance:
    for run in reversed(instance.get_runs()):
        logs = instance.all_logs(run.run_id)
        started = {{}}
        for record in logs:
            kind = record.dagster_event.event_type_value if record.is_dagster_event else None
            if kind == "STEP_START":
                started[record.step_key] = record.timestamp
            elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
                steps[record.step_key] = steps.get(record.step_key, 0) + record.timestamp - started[record.step_key]
        first = min(started.values(), default=logs[-1].timestamp)
        runs.append({{"partition": run.tags.get("dagster/partition", ""), "seconds": logs[-1].timestamp - logs[0].timestamp,
                      "before_first_step": first - logs[0].timestamp, "events": len(logs)}})
print(json.dumps({{"runs": runs, "steps": steps}}))
"""
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    if done.returncode != 0:
        return None
    found = json.loads(done.stdout)
    steps = sorted(found["steps"].items(), key=lambda item: -item[1])
    ingestion = sum(seconds for step, seconds in steps if step.startswith("raw__"))
    return {
        "runs": [{k: round(v, 1) if isinstance(v, float) else v for k, v in run.items()} for run in found["runs"]],
        "ingestion_steps_s": round(ingestion, 1),
        "slowest_steps": [{"step": step, "seconds": round(seconds, 1)} for step, seconds in steps[:6]],
        "outside_runs_s": round(wall_s - sum(run["seconds"] for run in found["runs"]), 1),
    }


def dbt_node_profile(run_results: Path) -> dict | None:
    """Where the last dbt build spent its node time (dbt's ``run_results.json``): the slowest nodes,
    and the models' and the tests' total (nodes run two at a time, so totals exceed the wall time)."""
    if not run_results.is_file():
        return None
    results = json.loads(run_results.read_text())["results"]
    timed = sorted(((r["execution_time"], r["unique_id"]) for r in results), reverse=True)
    tests = [t for t, uid in timed if uid.startswith(("test.", "unit_test."))]
    return {
        "slowest": [{"node": uid.split(".", 1)[1], "seconds": round(t, 2)} for t, uid in timed[:SLOWEST_DBT_NODES]],
        "nodes": len(timed),
        "node_seconds": round(sum(t for t, _ in timed), 1),
        "tests": len(tests),
        "test_seconds": round(sum(tests), 1),
        "failed": sorted(r["unique_id"].split(".", 2)[-1] for r in results if r["status"] in ("fail", "error")),
    }


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    mem_kib = next(int(line.split()[1]) for line in meminfo if line.startswith("MemTotal"))
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _scaling(small: dict, large: dict) -> list[str]:
    factor = large["scale"] / small["scale"]
    lines = [
        f"## Scaling {small['scale']:g} → {large['scale']:g} (×{factor:g} data)",
        "",
        "| stage | time × | memory × (all processes) |",
        "|---|---:|---:|",
    ]
    growth = []
    rows = list(zip(small["stages"], large["stages"])) + [(small["end_to_end"], large["end_to_end"])]
    for a, b in rows:
        t = b["wall_s"] / a["wall_s"] if a["wall_s"] else None
        m = _tree_peak(b) / _tree_peak(a) if _tree_peak(a) else None
        if b is not large["end_to_end"]:
            growth.append((t or 0, b["stage"]))
        lines.append(f"| {b['stage']} | {_fmt(t, 1)} | {_fmt(m, 1)} |")
    worst = max(growth)
    return lines + ["", f"Grows worst: **{worst[1]}** (×{worst[0]:.1f} time for ×{factor:g} data).", ""]


PLAIN_SQL = "plain DuckDB SQL, same figures (baseline)"


def _tree_peak(measured: dict) -> float:
    """Peak of all processes together; the largest single process where it was not sampled."""
    return measured.get("peak_tree_mib") or measured["peak_rss_mib"]


def render(results: list[dict], info: dict, seed: int, years: str) -> str:
    scales = ",".join(f"{r['scale']:g}" for r in results)
    command = "make bench" if scales == DEFAULT_SCALES else f"BENCH_SCALES={scales} make bench"
    lines = [
        "# Benchmarks",
        "",
        f"Produced by `{command}` on {dt.date.today().isoformat()} — every number below comes from that run.",
        f"Machine: {info['cores']} cores, {info['memory_gib']} GiB RAM, Python {info['python']}, {info['platform']}.",
        f"Landing zones: `mutwh generate --years {years} --seed {seed} --scale S` (cached per scale and seed).",
        "Each stage runs alone in its own process (`python -m benchmarks.stages <stage>`); wall and CPU time",
        "(user + system, children included) and the largest process's peak RSS come from `wait4`; the peak of all",
        "its processes together (e.g. `mutwh run` and the dbt it starts) is sampled from /proc every 0.2 s.",
        "The lower bound reads every value of every landing file once (DuckDB: `count(*)` and a hash of each",
        "column). The plain-SQL baseline is what an analyst would write instead: one DuckDB script that reads the",
        "landing files and computes the membership stocks, zorgkas indicator rows and DMW activity norms with the",
        "formulas of SPEC §5 (`benchmarks/plain_sql.py`; equal to the marts on a defect-free landing zone,",
        "`tests/test_plain_sql.py`), without validation, pseudonyms, quarantine, tests or exports.",
        "Scale 1.0 ≈ Solidaris (3.3 M leden).",
        "",
        *_targets(results),
    ]
    for result in results:
        e2e = result["end_to_end"]
        ratio = e2e["wall_s"] / result["lower_bound_s"] if result["lower_bound_s"] else None
        plain = result.get("plain_sql_s")
        plain_ratio = e2e["wall_s"] / plain if plain else None
        lines += [
            f"## Scale {result['scale']:g}",
            "",
            "| stage | wall s | CPU s | peak RSS MiB | all processes MiB | rows | rows/s | PostgreSQL |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for m in result["stages"]:
            on_postgres = bench_postgres.column(result.get("postgres_dbt_build")) if m["stage"] == "dbt build" else ""
            lines.append(
                f"| {m['stage']} | {_fmt(m['wall_s'], 2)} | {_fmt(m['cpu_s'], 2)} | {_fmt(m['peak_rss_mib'])} "
                f"| {_fmt(m.get('peak_tree_mib'))} | {_fmt(m['rows'])} | {_fmt(m['rows_per_s'], 0)} | {on_postgres} |"
            )
        lines += [
            "",
            f"- **End to end** (`{e2e['command']}`): {_fmt(e2e['wall_s'], 1)} s wall, {_fmt(e2e['cpu_s'], 1)} s CPU, "
            f"{_fmt(e2e['peak_rss_mib'])} MiB peak RSS of the largest process, {_fmt(_tree_peak(e2e))} MiB of all its "
            f"processes together — {_fmt(ratio, 1)}× the lower bound of just reading the data "
            f"({_fmt(result['lower_bound_s'], 2)} s; aim ≤ 5×) and {_fmt(plain_ratio, 1)}× the plain-SQL baseline "
            f"({_fmt(plain, 2)} s).",
            *_unpublished(result),
        ]
        if result["incremental"]:
            inc = result["incremental"]
            lines.append(
                f"- **{inc['stage']}** (`{inc['command']}`): {_fmt(inc['wall_s'], 1)} s wall, {_fmt(_tree_peak(inc))} MiB (all processes)."
            )
        target = _target_line(result)
        if target:
            lines.append(f"- Target {target[0]}: **{target[1]}**.")
        lines += _dagster_profile(result.get("dagster_steps"))
        lines += _dbt_profile(result.get("dbt_nodes"))
        lines.append("")
    pairs = list(itertools.pairwise(results))
    # below 0.1 fixed costs (process and dbt start-up) hide how the work grows
    for small, large in [p for p in pairs if p[0]["scale"] >= 0.1] or pairs[-1:]:
        lines += _scaling(small, large)
    notes = Path(__file__).with_name("profile.md")  # kept by hand: profiles a run of make bench cannot take
    if notes.is_file():
        lines += ["", *notes.read_text(encoding="utf-8").rstrip().splitlines()]
    return "\n".join(lines) + "\n"


def _target_line(result: dict) -> tuple[str, str] | None:
    """(the target, "met" or "NOT met") for a scale that has one."""
    if result["scale"] not in TARGETS:
        return None
    seconds, mib, _ = TARGETS[result["scale"]]
    e2e = result["end_to_end"]
    met = e2e["wall_s"] <= seconds and (mib is None or _tree_peak(e2e) <= mib)
    limit = f"≤ {seconds:.0f} s" + (f" and ≤ {mib / 1024:.0f} GiB (all processes)" if mib else "")
    return limit, "met" if met else "NOT met"


def _targets(results: list[dict]) -> list[str]:
    """Issue 20's targets for `mutwh run` end to end, each met or not in this run."""
    measured = {r["scale"]: r for r in results}
    lines = [
        "## Targets (`mutwh run` end to end)",
        "",
        "| scale | stands for | target | measured | multiple of plain SQL | result |",
        "|---:|---|---|---|---:|---|",
    ]
    for scale, (_, _, meaning) in TARGETS.items():
        result = measured.get(scale)
        if result is None:
            lines.append(f"| {scale:g} | {meaning} | – | not measured in this run | – | – |")
            continue
        e2e = result["end_to_end"]
        limit, verdict = _target_line(result)
        plain = result.get("plain_sql_s")
        lines.append(
            f"| {scale:g} | {meaning} | {limit} | {_fmt(e2e['wall_s'], 1)} s, {_fmt(_tree_peak(e2e) / 1024, 2)} GiB "
            f"| {_fmt(e2e['wall_s'] / plain if plain else None, 1)}× | **{verdict}** |"
        )
    return [*lines, ""]


def _unpublished(result: dict) -> list[str]:
    """A run whose blocking check failed publishes nothing: its time leaves out the exports, and
    the report says so and names the failed dbt nodes."""
    e2e = result["end_to_end"]
    if not e2e.get("exit_code"):
        return []
    failed = ", ".join(f"`{name}`" for name in (result.get("dbt_nodes") or {}).get("failed") or []) or "see its log"
    return [
        f"- **The end-to-end run exited {e2e['exit_code']}: a blocking check failed ({failed}), so it published "
        "nothing; its time leaves out the exports and dashboards.**"
    ]


def _dagster_profile(profile: dict | None) -> list[str]:
    if not profile:
        return []
    main, *others = profile["runs"] or [None]
    if main is None:
        return []
    slowest = ", ".join(f"`{s['step']}` {s['seconds']:.1f} s" for s in profile["slowest_steps"])
    partitions = sum(run["seconds"] for run in others)
    return [
        f"- Dagster event log of the end-to-end run: {_fmt(profile['outside_runs_s'], 1)} s outside every run "
        f"(process start-up, imports, manifest); the unpartitioned run {_fmt(main['seconds'], 1)} s, of which "
        f"{_fmt(main['before_first_step'], 1)} s before its first step ({main['events']} events); the "
        f"{len(profile['runs']) - 1} partition runs (exports, monthly DMW) {_fmt(partitions, 1)} s. Steps: "
        f"ingestion ({len(SOURCES)} steps) {_fmt(profile['ingestion_steps_s'], 1)} s; slowest {slowest}."
    ]


def _dbt_profile(nodes: dict | None) -> list[str]:
    if not nodes:
        return []
    slowest = ", ".join(f"`{n['node']}` {n['seconds']:.1f} s" for n in nodes["slowest"])
    return [
        f"- dbt in the end-to-end run (run_results.json): {nodes['nodes']} nodes, {_fmt(nodes['node_seconds'])} s of "
        f"node time, of which {nodes['tests']} tests {_fmt(nodes['test_seconds'])} s. Slowest: {slowest}."
    ]


def main() -> int:
    scales = [float(s) for s in os.environ.get("BENCH_SCALES", DEFAULT_SCALES).split(",")]
    seed = int(os.environ.get("BENCH_SEED", "42"))
    years = os.environ.get("BENCH_YEARS", "2021-2023")
    out = Path(os.environ.get("BENCH_OUT", "BENCHMARKS.md"))
    bench_root = Home.from_env().root / "bench"
    bench_root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    results = []
    for scale in scales:
        print(f"bench: scale {scale:g} …", file=sys.stderr, flush=True)
        results.append(bench_scale(scale, seed, years, bench_root, env))
        (bench_root / "results.json").write_text(json.dumps(results, indent=2))
        out.write_text(render(results, machine(), seed, years), encoding="utf-8")  # after each scale: partial report
    print(f"bench: wrote {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
