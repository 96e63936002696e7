"""Conversations go on while the action server, the CRM and Rasa are SIGKILLed and restarted.

A shorter variant of `bench/faults/run.py` (10 conversations × 10 messages, PostgreSQL
tracker store): no message is lost (each is answered or gets an explicit apology), each is
stored once in the tracker store, and Rasa's restart loses no conversation state.
"""

import asyncio

import pytest

from bench.faults.scenario import FaultPlan, run_faults
from bench.load.stack import concierge_stack
from tests.conftest import DEMO_AS_OF

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def fault_result(tmp_path_factory, postgres_database_factory) -> dict:
    tracker_url = postgres_database_factory().replace("postgresql+psycopg://", "postgresql://", 1)
    stack = concierge_stack(
        tmp_path_factory.mktemp("faults"), tracker_db_url=tracker_url, seed_as_of=DEMO_AS_OF.isoformat()
    )
    plan = FaultPlan(
        conversations=10,
        messages_per_conversation=10,
        think_mean=1.0,
        faults=[("actions", 3.0, 3.0), ("crm", 11.0, 3.0), ("rasa", 18.0, 1.0)],
    )
    with stack:
        stack.start()
        return asyncio.run(run_faults(stack, plan))


def test_no_message_is_lost(fault_result):
    assert fault_result["messages"] == 100
    assert fault_result["lost"] == 0, fault_result
    assert fault_result["answered"] + fault_result["apologised"] == 100


def test_each_fault_was_survived(fault_result):
    assert [f["process"] for f in fault_result["faults"]] == ["actions", "crm", "rasa"]
    for fault in fault_result["faults"]:
        assert fault["outcomes_while_down"]["lost"] == 0, fault


def test_every_message_is_stored_exactly_once(fault_result):
    tracker = fault_result["tracker"]
    assert tracker["user_messages_missing"] == 0, tracker
    assert tracker["user_messages_duplicated"] == 0, tracker
    assert tracker["duplicated_event_rows"] == 0, tracker


def test_rasa_restart_keeps_every_conversation(fault_result):
    state = fault_result["rasa_restart_state"]
    assert state["conversations_checked"] > 0
    assert state["conversations_with_lost_state"] == 0, state
