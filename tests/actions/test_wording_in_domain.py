"""The actions hold neither business rules nor customer-facing sentences.

Rules (return window, loyalty tiers, retention offers, payment methods) are the CRM's;
sentences are the domain's responses (bot/domain/*.yml), where a second language adds its
own. These scans read the action modules' syntax trees, so they fail as soon as a rule
constant or a hard-coded reply comes back.
"""

import ast
import re
from pathlib import Path

from crm_backend.returns.policy import RETURN_WINDOW_DAYS
from tests.actions.helpers import domain

ACTIONS = Path(__file__).resolve().parents[2] / "actions"
# Not scanned: handoff.py (its one reply is `utter_handoff_queued`, but its 2000 is a
# character limit that the number scan would flag), identity.py, settings.py and server.py
# (no replies, no rules).
OTHER_OWNERS = {"handoff.py", "identity.py", "settings.py", "server.py"}

RULE_NUMBERS = {30, 800, 2000, 0.5, 15}
RULE_WORDS = re.compile(
    r"\b(bronze|silver|gold|sorry15|at risk|hibernating|cannot lose them|champions|loyal|paypal|klarna"
    r"|bank_transfer|credit_card|debit_card|apple_pay|google_pay|gift_card)\b",
    re.IGNORECASE,
)


def modules(folder: Path = ACTIONS) -> dict[str, ast.Module]:
    paths = [path for path in sorted(folder.glob("*.py")) if path.name not in OTHER_OWNERS]
    return {path.name: ast.parse(path.read_text(), filename=str(path)) for path in paths}


def docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring nodes, which may describe rules in words."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def rule_constants(folder: Path = ACTIONS) -> list[str]:
    """`file:line value` for every literal that looks like one of the CRM's rules."""
    hits = []
    for name, tree in modules(folder).items():
        skip = docstrings(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Constant) or id(node) in skip or isinstance(node.value, bool):
                continue
            value = node.value
            if (isinstance(value, int | float) and value in RULE_NUMBERS) or (
                isinstance(value, str) and RULE_WORDS.search(value)
            ):
                hits.append(f"{name}:{node.lineno} {value!r}")
    return hits


def text_replies(folder: Path = ACTIONS) -> list[str]:
    """`file:line` of every utter_message call that sends its own text."""
    hits = []
    for name, tree in modules(folder).items():
        for node in ast.walk(tree):
            is_reply = isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message"
            if is_reply and any(keyword.arg == "text" for keyword in node.keywords):
                hits.append(f"{name}:{node.lineno}")
    return hits


def response_names(folder: Path = ACTIONS) -> set[str]:
    """Every literal response name in the actions (`utter_...`), f-string pieces left out."""
    names = set()
    for tree in modules(folder).values():
        pieces = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        names |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and id(node) not in pieces
            and isinstance(node.value, str) and node.value.startswith("utter_")
        }  # fmt: skip
    return names


def response_prefixes(folder: Path = ACTIONS) -> set[str]:
    """The fixed start of response names built with f-strings (f"utter_product_{stock}")."""
    return {
        node.values[0].value
        for tree in modules(folder).values()
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        and node.values
        and isinstance(node.values[0], ast.Constant)
        and str(node.values[0].value).startswith("utter_")
    }


def test_no_business_rule_constant_in_the_actions():
    assert rule_constants() == []


def test_no_reply_text_in_the_actions():
    assert text_replies() == []


def test_every_response_the_actions_name_is_in_the_domain():
    responses = domain()["responses"]
    assert sorted(response_names() - set(responses)) == []
    for prefix in response_prefixes():
        assert any(name.startswith(prefix) for name in responses), prefix


def test_every_domain_response_has_a_text():
    assert [name for name, variants in domain()["responses"].items() if not variants[0].get("text")] == []


def test_the_domains_policy_answers_state_the_crms_return_window():
    """The general answers about returns are static text: they must say what the CRM decides."""
    responses = domain()["responses"]
    for name in ("utter_refund_policy", "utter_cancellation_fees"):
        days = re.findall(r"(\d+) days of delivery", responses[name][0]["text"])
        assert days == [str(RETURN_WINDOW_DAYS)], name
