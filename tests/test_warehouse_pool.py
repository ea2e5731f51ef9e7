"""One step at a time on the warehouse (SPEC §8): the pool's one slot, and the lock behind it.

Dagster's SQLite instance storage assigns pool slots with a count-then-insert and no lock, so two
runs claiming the ``warehouse`` slot at the same moment could both get it (seen in CI: ingest steps
of two queued runs overlapping). ``prepare_dagster_home`` creates the pool's slot before any run
exists and repairs a doubled one, and every run using ``WarehouseResource`` holds an ``flock``
from before its first step starts to after its last one ends, which makes the one slot a guarantee.
"""

from __future__ import annotations

import subprocess
import sys
import time

import dagster as dg

from mutwh.home import Home
from mutwh.warehouse import WAITING_FOR_WAREHOUSE
from orchestration.instance import WAREHOUSE_POOL, prepare_dagster_home
from orchestration.resources import WarehouseResource

HOLD_SECONDS = 3


def _pool(instance: dg.DagsterInstance) -> tuple[int, int, bool]:
    storage = instance.event_log_storage
    (limit,) = [pool for pool in storage.get_pool_limits() if pool.name == WAREHOUSE_POOL]
    return limit.limit, storage.get_concurrency_info(WAREHOUSE_POOL).slot_count, limit.from_default


def test_prepare_creates_the_pool_with_one_slot(home):
    prepare_dagster_home(Home.from_env())
    with dg.DagsterInstance.get() as instance:
        assert _pool(instance) == (1, 1, True)


def test_prepare_repairs_a_pool_that_two_runs_gave_two_slots(home):
    prepare_dagster_home(Home.from_env())
    with dg.DagsterInstance.get() as instance:
        storage = instance.event_log_storage
        # what the race leaves: the default limit of 1 recorded, and a second slot inserted
        with storage.index_transaction() as conn:
            storage._allocate_concurrency_slots(conn, WAREHOUSE_POOL, 2)
        assert _pool(instance) == (1, 2, True)

    prepare_dagster_home(Home.from_env())
    with dg.DagsterInstance.get() as instance:
        assert _pool(instance) == (1, 1, True)


def test_prepare_keeps_a_limit_an_operator_set(home):
    prepare_dagster_home(Home.from_env())
    with dg.DagsterInstance.get() as instance:
        instance.event_log_storage.set_concurrency_slots(WAREHOUSE_POOL, 2)

    prepare_dagster_home(Home.from_env())
    with dg.DagsterInstance.get() as instance:
        assert _pool(instance) == (2, 2, False)


@dg.asset
def _uses_the_warehouse(warehouse: WarehouseResource) -> None:
    pass


def test_a_step_starts_only_once_another_process_has_let_go_of_the_warehouse(home):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time\n"
            "lock = open(sys.argv[1], 'a+b'); fcntl.flock(lock, fcntl.LOCK_EX); print('held', flush=True)\n"
            "time.sleep(float(sys.argv[2])); print(time.time(), flush=True)",
            str(home / "warehouse.steps.lock"),
            str(HOLD_SECONDS),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "held"
    asked = time.time()
    with dg.instance_for_test() as instance:
        result = dg.materialize([_uses_the_warehouse], resources={"warehouse": WarehouseResource()}, instance=instance)
        released = float(holder.stdout.readline())
        holder.wait(timeout=30)
        assert result.success
        (started,) = [
            record.timestamp for record in instance.all_logs(result.run_id, of_type=dg.DagsterEventType.STEP_START)
        ]
        messages = [record.user_message for record in instance.all_logs(result.run_id)]
    assert released - asked >= HOLD_SECONDS - 1
    assert started >= released, "the step started while another process held the warehouse"
    assert WAITING_FOR_WAREHOUSE in messages
