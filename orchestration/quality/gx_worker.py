"""Great Expectations in a process of its own, started ahead of the step that needs it.

In the run's own process GX cost the run twice (benchmarks/profile.md):

- importing it (~4 s: pandas, scipy, GX's expectation registry) lay on the critical path, between
  ingestion and dbt;
- the pandas samples its suites read stayed referenced by GX once the suites were done (~0.65 GiB
  at scale 1.0, freed neither by ``gc`` nor by dropping the context), beside dbt for the rest of
  the run.

So a run that validates the raw tables starts this worker when it sets up the ``gx`` resource
(``orchestration.resources.GxResource``), before its first step, and the worker imports GX while
ingestion runs. Each ingestion step, once its table is loaded, hands the worker the sample GX will
validate (``read_raw_table``, written as an Arrow file); the worker validates it while the next
source is ingested. The ``gx_suites`` step then asks for the results: the worker validates what it
has not seen (a table this run did not load), renders the Data Docs once, answers and ends, taking
its memory with it. Nothing else writes a raw table during a run (the run holds the warehouse), so
the sample taken after a table's ingestion step is the one the ``gx_suites`` step would take.

Protocol: JSON lines on stdin, ``{"op": "sample", ...}`` any number of times, then one
``{"op": "finish", ...}``, answered by one JSON document on the worker's answer channel (its
original stdout; anything a library prints goes to stderr instead). End of stdin before
``finish``: the run did not need it, exit 0. The worker dies with the process that started it
(``orchestration.dbt_child.die_with_parent``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from orchestration.dbt_child import PARENT_ENV, die_with_parent

if TYPE_CHECKING:
    import pyarrow as pa

STDERR_TAIL_LINES = 40
SAMPLES_DIR = ".samples"


class GxWorkerError(RuntimeError):
    """The worker ended without an answer (killed, out of memory, an error in GX)."""


class GxWorker:
    """The parent's handle on one worker: ``start()``, ``hand_sample(...)`` per table loaded, then
    ``run_suites(...)`` once, or ``close()``."""

    def __init__(self, process: subprocess.Popen, stderr: IO[bytes]):
        self._process = process
        self._stderr = stderr
        self._samples: Path | None = None

    @classmethod
    def start(cls) -> GxWorker:
        stderr = tempfile.TemporaryFile()  # noqa: SIM115 (the handle's, closed in close())
        process = subprocess.Popen(
            # -P: not the working directory on sys.path (in a data directory, its exports/ and
            # dashboards/ folders would be imported as the packages of those names)
            [sys.executable, "-P", "-m", "orchestration.quality.gx_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=os.environ | {PARENT_ENV: str(os.getpid())},
        )
        return cls(process, stderr)

    @property
    def pid(self) -> int:
        return self._process.pid

    def hand_sample(
        self,
        source_name: str,
        gx_dir: Path,
        arrow: pa.Table,
        rows_in_table: int,
        sampled: bool,
        max_rows: int,
        seed: int,
    ) -> None:
        """Give the worker the table (or sample) of ``source_name`` to validate now, as an Arrow file
        under ``gx_dir`` that the worker deletes once read; ``max_rows`` and ``seed`` are those
        ``read_raw_table`` took it with (the results name the sample). Returns at once."""
        import pyarrow as pa

        folder = Path(gx_dir) / SAMPLES_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{source_name}.arrow"
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, arrow.schema) as writer:
            writer.write_table(arrow)
        self._samples = folder
        self._send(
            {
                "op": "sample",
                "source": source_name,
                "gx_dir": str(gx_dir),
                "path": str(path),
                "rows_in_table": int(rows_in_table),
                "sampled": bool(sampled),
                "max_rows": int(max_rows),
                "seed": int(seed),
            }
        )

    def run_suites(self, source_names: list[str], duckdb_path: Path, gx_dir: Path) -> list[dict[str, Any]]:
        """``orchestration.quality.gx_suites.run_suites`` in the worker, using the samples handed to
        it so far (the worker then ends)."""
        request = {"op": "finish", "sources": list(source_names), "warehouse": str(duckdb_path), "gx_dir": str(gx_dir)}
        try:
            answer, _ = self._process.communicate(json.dumps(request).encode() + b"\n")
        except (BrokenPipeError, ValueError):  # it died already, or had its stdin closed
            self._process.wait()
            answer = b""
        finally:
            self.close()
        if self._process.returncode != 0 or not answer.strip():
            raise GxWorkerError(
                f"the Great Expectations worker (PID {self._process.pid}) ended with exit code "
                f"{self._process.returncode} and no results; its last output:\n{self._stderr_tail()}"
            )
        return json.loads(answer)["results"]

    def _send(self, message: dict) -> None:
        stdin = self._process.stdin
        if stdin is None or stdin.closed or self._process.poll() is not None:
            raise GxWorkerError(f"the Great Expectations worker has ended: {self._stderr_tail()}")
        try:
            stdin.write(json.dumps(message).encode() + b"\n")
            stdin.flush()
        except BrokenPipeError:
            raise GxWorkerError(f"the Great Expectations worker has ended: {self._stderr_tail()}") from None

    def close(self) -> None:
        """Let an unused worker go (end of its stdin: it exits at once), wait for it, and remove the
        samples it did not read."""
        if self._samples is not None:
            shutil.rmtree(self._samples, ignore_errors=True)
        if self._process.poll() is None:
            if self._process.stdin and not self._process.stdin.closed:
                self._process.stdin.close()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()

    def __del__(self) -> None:
        self._stderr.close()

    def _stderr_tail(self) -> str:
        self._stderr.seek(0)
        lines = self._stderr.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-STDERR_TAIL_LINES:]) or "(nothing)"


_prestarted: GxWorker | None = None


def prestart() -> None:
    """Start a worker now for the next run of this process that validates raw tables
    (``GxResource`` takes it): ``mutwh run`` calls this before it imports Dagster and the
    definitions (~4 s), so that GX's own import (~4 s) happens beside them instead of beside
    ingestion, where at small scales it made the ``gx_suites`` step wait (benchmarks/profile.md)."""
    global _prestarted
    if _prestarted is None:
        _prestarted = GxWorker.start()


def take_prestarted() -> GxWorker | None:
    """The worker ``prestart`` started, if it is still alive; it is then this caller's to close."""
    global _prestarted
    worker, _prestarted = _prestarted, None
    if worker is not None and worker._process.poll() is not None:  # it died: the caller starts another
        worker.close()
        return None
    return worker


def close_prestarted() -> None:
    """Let a prestarted worker that no run took go."""
    worker = take_prestarted()
    if worker is not None:
        worker.close()


def main() -> int:
    die_with_parent()
    answer = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # what GX or pandas print must not mix with the answer

    import pyarrow as pa

    from orchestration.quality import gx_suites

    gx_suites.warm_up()
    runner = None
    for line in sys.stdin:
        request = json.loads(line)
        gx_dir = Path(request["gx_dir"])
        if runner is None or runner.gx_dir != gx_dir:
            runner = gx_suites.SuiteRunner(gx_dir)
        if request["op"] == "sample":
            path = Path(request["path"])
            with pa.memory_map(str(path)) as source:
                arrow = pa.ipc.open_file(source).read_all()
            path.unlink()
            runner.validate(
                request["source"],
                arrow,
                request["rows_in_table"],
                request["sampled"],
                request["max_rows"],
                request["seed"],
            )
            del arrow
        else:
            results = runner.finish(request["sources"], Path(request["warehouse"]))
            answer.write(json.dumps({"results": results}))
            answer.close()
            return 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
