"""``mutwh`` command line (SPEC §3): generate, run, validate.

Exit codes: 0 ok, 1 data checks failed (or a landing file was refused), 2 usage or configuration
error. Heavy imports happen inside the commands so that ``mutwh --help`` stays instant.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


def parse_years(text: str) -> list[int]:
    """``2021-2023`` → [2021, 2022, 2023]; ``2023`` → [2023]."""
    try:
        if "-" in text:
            first, last = (int(part) for part in text.split("-", 1))
        else:
            first = last = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must look like 2021-2023 or 2023, got '{text}'") from None
    if not 1990 <= first <= last <= 2050:
        raise argparse.ArgumentTypeError(f"years must be an increasing range within 1990-2050, got '{text}'")
    return list(range(first, last + 1))


def positive_float(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError("scale must be > 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mutwh", description="Reporting warehouse of a landsbond of mutualities.")
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic landing zone (SPEC §4)")
    gen.add_argument("--out", type=Path, help="target directory (default: $MUTWH_HOME/landing)")
    gen.add_argument("--years", type=parse_years, default=parse_years("2021-2023"))
    gen.add_argument("--scale", type=positive_float, default=0.01, help="1.0 ≈ Solidaris, 3.3 M members")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--clean", action="store_true", help="inject no defects")
    gen.add_argument("--profile", choices=["default", "solidaris"], default="default")
    gen.add_argument("--format", dest="fmt", choices=["parquet", "csv"], default="parquet")
    gen.add_argument("--no-progress", action="store_true")

    run = sub.add_parser("run", help="ingest the landing zone, build everything, export")
    run.add_argument("--years", type=parse_years, default=None, help="reporting years (default: all loaded)")
    run.add_argument("--job", help="run one job of the code location instead (ingest, annual_report, dmw_monthly)")
    run.add_argument("--partition", help="partition key for --job (2023 for annual_report, 2023-12-01 for dmw_monthly)")
    run.add_argument(
        "--allow-shrink",
        action="append",
        default=[],
        metavar="SOURCE",
        help="load SOURCE even if it loses all or more than MUTWH_MAX_SHRINK (default 0.5) of its rows "
        "(repeatable or comma list; 'all' for every source)",
    )

    val = sub.add_parser("validate", help="check a landing zone without loading it")
    val.add_argument("directory", type=Path, nargs="?", help="landing zone (default: $MUTWH_HOME/landing)")
    return parser


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for ours in ("sources", "orchestration"):
        logging.getLogger(ours).setLevel(logging.INFO)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    from mutwh.home import HomeError

    handler = {"generate": _generate, "run": _run, "validate": _validate}[args.command]
    try:
        return handler(args)
    except HomeError as error:  # an unusable $MUTWH_HOME is a configuration error (SPEC §3)
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE


def _generate(args) -> int:
    from mutwh.home import HOME_ENV, Home, ensure_writable_dir
    from sources.generator import ForeignFilesError, generate

    if args.out:
        out = ensure_writable_dir(args.out, "--out directory", "choose another --out directory")
    else:
        out = ensure_writable_dir(Home.from_env().landing, f"{HOME_ENV} landing zone")
    try:
        summary = generate(
            out,
            args.years,
            scale=args.scale,
            seed=args.seed,
            clean=args.clean,
            profile=args.profile,
            fmt=args.fmt,
            progress=not args.no_progress,
        )
    except ForeignFilesError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    total = sum(s["rows"] for s in summary["sources"].values())
    print(f"landing zone written to {out}: {total:,} rows in {len(summary['sources'])} sources")
    return EXIT_OK


def _validate(args) -> int:
    from mutwh.home import Home
    from sources.contract import SOURCES
    from sources.loader import unknown_landing_entries, validate_source

    directory = args.directory or Home.from_env().readable_landing()
    if not directory.is_dir():
        print(f"error: {directory} is not a directory", file=sys.stderr)
        return EXIT_USAGE
    refused = 0
    for warning in unknown_landing_entries(directory):
        print(f"warning: {warning}")
    for source in SOURCES.values():
        result = validate_source(directory, source, on_accepted=lambda rows: None)  # only counted: not kept
        for warning in result.warnings:
            print(f"warning: {warning}")
        for problem in result.refused:
            refused += 1
            print(f"refused: {problem}")
        for row in result.rejected.select("file", "row", "reason").iter_rows():
            print(f"{row[0]}:{row[1]}: {row[2]}")
        print(
            f"{source.name}: {len(result.files)} file(s), {result.rows_in} rows, "
            f"{result.rows_in - result.rows_rejected} valid, {result.rows_rejected} rejected, "
            f"{len(result.refused)} file(s) refused",
            file=sys.stderr,
        )
    return EXIT_DATA if refused else EXIT_OK


def _allow_shrink(values: list[str]) -> str | None:
    """The --allow-shrink sources as MUTWH_ALLOW_SHRINK, or an error message for an unknown one."""
    from sources.contract import SOURCES

    names = [n.strip() for v in values for n in v.split(",") if n.strip()]
    unknown = [n for n in names if n != "all" and n not in SOURCES]
    if unknown:
        raise ValueError(
            f"--allow-shrink: unknown source(s) {', '.join(unknown)}; expected 'all' or one of {', '.join(SOURCES)}"
        )
    return ",".join(names) or None


def _run(args) -> int:
    import os

    from mutwh.warehouse import WarehouseConfigError, check_warehouse
    from orchestration.runner import run_job, run_pipeline
    from sources.ingest import ALLOW_SHRINK_ENV, max_shrink

    try:
        allowed = _allow_shrink(args.allow_shrink)
        max_shrink()
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if allowed:
        os.environ[ALLOW_SHRINK_ENV] = ",".join(filter(None, [os.environ.get(ALLOW_SHRINK_ENV), allowed]))

    try:
        check_warehouse()  # a wrong MUTWH_TARGET or an unreachable server is a configuration error
    except WarehouseConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    if args.job:
        return run_job(args.job, args.partition)
    if args.partition:
        print("error: --partition needs --job", file=sys.stderr)
        return EXIT_USAGE
    return run_pipeline(years=args.years)


def console(argv: list[str] | None = None) -> None:
    """The ``mutwh`` command: ``main``, then exit without tearing the interpreter down.

    After a run the process holds dagster, dbt, polars, DuckDB and their objects; freeing them one by
    one at exit took ~1.3 s of every ``mutwh run`` (benchmarks/profile.md), and nothing of it is
    needed: the atexit handlers (logging's flush among them) still run, the standard streams are
    flushed, every file the run writes is closed by then (atomic writes), and its child processes
    (dbt, the GX worker) end with it (``orchestration.dbt_child.die_with_parent``)."""
    import atexit
    import contextlib
    import os
    import threading

    code = main(argv)
    # what interpreter shutdown runs before it frees the modules (no public equivalent): wait for
    # the threads that are not daemons, then the atexit handlers
    threading._shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`mutwh run | head`)
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    console()
