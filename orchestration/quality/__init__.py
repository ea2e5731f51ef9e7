"""Data-quality layer: Great Expectations suites for the raw tables (SPEC §2, §8).

GX is imported lazily by the functions here, so importing this package (e.g. while Dagster loads
the code location) does not pay GX's import time of several seconds.
"""

from orchestration.quality.gx_suites import build_suite, run_suite, run_suites, suite_name

__all__ = ["build_suite", "run_suite", "run_suites", "suite_name"]
