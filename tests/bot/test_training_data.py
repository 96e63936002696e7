"""`rasa data validate` is clean: every warning left is a known false positive, checked here.

Rasa warns about responses that no story or rule mentions, even when a form asks with them
(`utter_ask_<slot>`) or a custom action sends them; about retrieval intents "duplicated"
when it merges the domain with the data; and, unconditionally, that slot auto-fill was
removed in 3.0 (its own CLI filters that one). This test proves each warning is one of those.
"""

import re
import warnings
from pathlib import Path

from rasa.shared.core.constants import DEFAULT_INTENTS
from rasa.shared.importers.importer import TrainingDataImporter
from rasa.validator import Validator

from bot.components import language_guard

ROOT = Path(__file__).resolve().parents[2]
RETRIEVAL_INTENTS = {"faq", "chitchat"}
ALWAYS_EMITTED = "Slot auto-fill has been removed in 3.0"
# Never typed, so without examples: the AmbiguityClassifier predicts `nlu_ambiguous`,
# `clarify_other` is the payload of the clarification's "something else" button, and the
# LanguageGuard sets `unsupported_language`.
NOT_TYPED = {"nlu_ambiguous", "clarify_other", language_guard.INTENT_NAME}


def _validate() -> tuple[bool, list[str], Validator]:
    importer = TrainingDataImporter.load_from_config(
        str(ROOT / "config.yml"), str(ROOT / "bot" / "domain"), [str(ROOT / "nlu_data")]
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        validator = Validator.from_importer(importer)
        ok = all(
            [
                validator.verify_domain_validity(),
                validator.verify_nlu(ignore_warnings=True),
                validator.verify_story_structure(ignore_warnings=False),
                validator.verify_form_slots(),
                validator.verify_slot_mappings(),
                validator.verify_forms_in_stories_rules(),
                validator.verify_actions_in_stories_rules(),
            ]
        )
    messages = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]
    return ok, messages, validator


def _utterances_sent_by_code() -> tuple[set[str], set[str]]:
    """Response names the actions and channels send (e.g. the reply to an overlong message), and
    the prefixes of those the actions build (f"utter_x_{y}")."""
    paths = [*(ROOT / "actions").glob("*.py"), *(ROOT / "bot" / "channels").glob("*.py")]
    source = "\n".join(path.read_text() for path in paths)
    return set(re.findall(r"\"(utter_[a-z_]+)\"", source)), set(re.findall(r"f\"(utter_[a-z_]+)\{", source))


def test_training_data_is_valid_and_has_no_unexplained_warnings():
    ok, messages, validator = _validate()
    assert ok, messages
    form_asks = {
        f"utter_ask_{slot}"
        for form in validator.domain.form_names
        for slot in validator.domain.required_slots_for_form(form)
    }
    sent_by_code, built_by_code = _utterances_sent_by_code()
    unexplained = []
    for message in messages:
        if message.startswith(ALWAYS_EMITTED):
            continue
        unused = re.search(r"The utterance '(utter_[a-z_]+)' is not used in any story or rule", message)
        if unused and (
            unused.group(1) in form_asks
            or unused.group(1) in sent_by_code
            or unused.group(1).startswith(tuple(built_by_code))
        ):
            continue
        untyped = re.search(r"The intent '(\w+)' is listed in the domain file, but is not found in the NLU", message)
        if untyped and untyped.group(1) in NOT_TYPED:
            continue
        duplicated = re.search(r"duplicated intents have been found across multiple domain files: (.*)", message)
        if duplicated and set(duplicated.group(1).split(", ")) <= RETRIEVAL_INTENTS:
            continue
        unexplained.append(message)
    assert unexplained == []


def test_every_intent_has_a_rule_and_every_action_exists_in_code():
    _ok, _messages, validator = _validate()
    rules_text = "\n".join(path.read_text() for path in (ROOT / "nlu_data" / "rules").glob("*.yml"))
    for intent in validator.domain.intents:
        if intent in DEFAULT_INTENTS:
            continue
        assert f"intent: {intent}" in rules_text, f"no rule answers {intent}"
    source = "\n".join(path.read_text() for path in (ROOT / "actions").glob("*.py"))
    for action in validator.domain.user_actions:
        if action.startswith(("action_", "validate_")):
            assert f'"{action}"' in source, f"{action} is in the domain but no action class names it"
