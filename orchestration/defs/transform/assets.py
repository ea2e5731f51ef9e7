"""dbt models as Dagster assets (dagster-dbt), keyed and grouped by their dbt folder."""

import hashlib
import json
import signal
import subprocess
from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt_command import CONTRACT_RECHECK, before_dbt, build_args, dbt_target_path
from orchestration.instance import WAREHOUSE_POOL
from orchestration.keys import REFERENCE, model_key, raw_key, seed_key
from orchestration.resources import WarehouseResource, dbt_project


class MutwhTranslator(DagsterDbtTranslator):
    """dbt sources map onto the ingestion assets (``raw/<table>``); seeds are ``reference/<seed>``;
    models are ``<layer>/<model>``. Groups: ``reference``, ``staging``, and for intermediate and
    mart models the domain folder (``membership``, ``zorgkas``, ``dmw``, ``finance``)."""

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        props = self.get_resource_props(manifest, unique_id)
        if props["resource_type"] == "source":
            return spec.replace_attributes(key=raw_key(props["name"]))
        if props["resource_type"] == "seed":
            return spec.replace_attributes(key=seed_key(props["name"]), group_name=REFERENCE)
        fqn = props["fqn"]  # [project, layer, domain..., model]
        layer = fqn[1] if len(fqn) > 2 else "models"
        group = fqn[2] if layer != "staging" and len(fqn) > 3 else layer
        return spec.replace_attributes(key=model_key(layer, props["name"]), group_name=group)

    def get_code_version(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """A seed's version is its file's checksum and its config (column types, quoting), so that a
        seed whose table would come out different is never taken as unchanged (``orchestration.defs.transform.seeds``)."""
        version = super().get_code_version(dbt_resource_props)
        if dbt_resource_props["resource_type"] != "seed":
            return version
        config = json.dumps(dbt_resource_props.get("config") or {}, sort_keys=True, default=str)
        return hashlib.sha1(f"{version}\n{config}".encode()).hexdigest()

    def get_asset_check_spec(
        self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str, project
    ) -> dg.AssetCheckSpec | None:
        """Every check says what it protects: the test's ``description:`` in yml (singular tests:
        ``tests/_singular__tests.yml``), else one derived from the generic test and its column's doc."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return None
        test = manifest["nodes"][unique_id]
        description = (test.get("description") or "").strip() or generic_test_description(manifest, test)
        return spec._replace(description=" ".join(description.split()))


def _node(manifest: Mapping[str, Any], unique_id: str | None) -> Mapping[str, Any]:
    return manifest["nodes"].get(unique_id) or manifest["sources"].get(unique_id) or {}


def _first_sentence(text: str) -> str:
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def generic_test_description(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """One line from a generic test's kind, arguments and the documentation of the column it guards."""
    meta = test.get("test_metadata") or {}
    kwargs = meta.get("kwargs") or {}
    node = _node(manifest, test.get("attached_node"))
    table = node.get("name", "the table")
    column = kwargs.get("column_name") or test.get("column_name")
    target = str(kwargs.get("to", "")).removeprefix("ref(").strip("')\"")
    if meta.get("name") == "model_checks":
        return model_checks_description(table, kwargs)
    what = {
        "not_null": f"{table}.{column} is never empty",
        "unique": f"{table}.{column} is unique: one row per {column}",
        "accepted_values": f"{table}.{column} only takes the values {', '.join(map(str, kwargs.get('values') or []))}",
        "relationships": f"every {table}.{column} exists in {target}.{kwargs.get('field')}",
    }.get(meta.get("name"), f"{meta.get('name', test['name'])} on {table}")
    guarded = _first_sentence((node.get("columns", {}).get(column or "", {}) or {}).get("description", ""))
    return what + (f" (guards: {guarded})" if guarded else ".")


def model_checks_description(table: str, kwargs: Mapping[str, Any]) -> str:
    """The guarantees of one ``model_checks`` test (dbt_project/tests/generic/model_checks.sql), one
    clause each, in the order the test checks them."""
    clauses = [f"one row per {', '.join(key)}" for key in kwargs.get("unique") or []]
    if kwargs.get("not_null"):
        clauses.append(f"{', '.join(kwargs['not_null'])} never empty")
    for column, values in (kwargs.get("accepted_values") or {}).items():
        clauses.append(f"{column} only {', '.join(map(str, values))}")
    for column, length in (kwargs.get("has_length") or {}).items():
        clauses.append(f"{column} has {length} characters")
    return f"{table}: " + "; ".join(clauses) + "."


@dbt_assets(
    manifest=dbt_project().manifest_path,
    project=dbt_project(),
    dagster_dbt_translator=MutwhTranslator(),
    # The tests that production builds leave out are not checks of these assets either: otherwise
    # each run plans 172 checks that never run (planned events logged before the first step, and
    # checks that stay "not executed" on every Checks tab).
    exclude=CONTRACT_RECHECK,
    pool=WAREHOUSE_POOL,
)
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource):
    """``dbt build``: seeds, models and their data tests, reported as asset checks
    (the command is ``orchestration.dbt_command.build_args``, which says what is left out and why).
    ``warehouse`` is not used here but held: dbt's process writes the file (``holding_warehouse``)."""
    before_dbt(say=context.log.warning)
    invocation = dbt.cli(build_args(), context=context, target_path=dbt_target_path())
    try:
        yield from invocation.stream()
    finally:
        stop_dbt(invocation.process, say=context.log.warning)


def stop_dbt(process: subprocess.Popen, say, grace_seconds: float = 30) -> None:
    """A step that fails while dbt still runs (an event it cannot translate, a manifest older than
    the project) must not leave dbt behind: it holds the warehouse file, and every later step
    would wait for its lock. dagster-dbt stops dbt only on an interrupt; here it is stopped on any
    way out of the step, as Ctrl-C would (SIGINT, then SIGKILL)."""
    if process.poll() is not None:
        return
    say(f"stopping dbt (PID {process.pid}): the step ended before dbt did")
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=grace_seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
