"""From a reviewed conversation to a Rasa test story: a misunderstanding an agent corrected
becomes a regression test that `make test` runs (`rasa test core --stories tests/stories`).

The story replays what the tracker store holds: user turns (with the agents' corrected intent
and entities where there is an annotation, else what NLU predicted), the bot's actions, and
the slots and forms they set, so `rasa test core` predicts each action again from the corrected
intents. It ends before a handoff pause (a person's replies cannot be predicted). After a
corrected turn the story keeps the actions the bot took on its misreading: `rasa test` flags
the first one the corrected intent leads elsewhere, and the reviewer edits it to the right
action (the file says so). The YAML is checked before it is written: every step has one known
key, and intents and entities are the domain's.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_backend.annotations.domain import domain_vocabulary
from crm_backend.annotations.export import annotated_example
from crm_backend.annotations.service import list_annotations
from crm_backend.core.errors import Invalid
from crm_backend.transcripts.tracker import StoredEvent, conversation_events

logger = logging.getLogger(__name__)
SKIPPED_ACTIONS = {"action_listen", "action_session_start", "action_extract_slots"}
STEP_KEYS = {"user", "intent", "action", "slot_was_set", "active_loop"}
HEADER = (
    "# Written by the console from a reviewed conversation, with agents' corrected intents and entities.\n"
    "# After a corrected turn the bot's recorded actions follow: change them to what it should have done.\n"
)


class StoryRefused(Invalid):
    code = "story_refused"


@dataclass
class StoryFile:
    path: Path
    steps: int
    corrected: int


def _scalar(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _user_step(event: StoredEvent, annotation) -> dict:
    text = str(event.data.get("text") or "")
    parse = event.data.get("parse_data") or {}
    if annotation is not None:
        return {"user": annotated_example(annotation.text, annotation.entities or []), "intent": annotation.intent}
    intent = (parse.get("intent") or {}).get("name") or event.intent_name
    if text.startswith("/"):  # a button's payload: Rasa reads its intent and entities itself
        return {"user": text, "intent": intent}
    entities = [
        e for e in parse.get("entities") or [] if isinstance(e, dict) and {"start", "end", "entity"} <= e.keys()
    ]
    return {"user": annotated_example(text, entities), "intent": intent}


def story_steps(events: list[StoredEvent], annotations: dict[int, object]) -> tuple[list[dict], int]:
    """The story's steps and how many user turns carry a correction."""
    steps: list[dict] = []
    corrected = 0
    started = False
    for event in events:
        kind = event.type_name
        if kind == "pause":
            break
        if kind == "user":
            annotation = annotations.get(event.id)
            steps.append(_user_step(event, annotation))
            started = True
            corrected += annotation is not None
        elif not started:
            continue  # the session start's slots and actions belong to no turn
        elif kind == "action" and event.action_name not in SKIPPED_ACTIONS:
            steps.append({"action": event.action_name})
        elif kind == "slot" and _scalar(event.data.get("value")):
            steps.append({"slot_was_set": [{event.data.get("name"): event.data.get("value")}]})
        elif kind == "active_loop":
            steps.append({"active_loop": event.data.get("name")})
    while steps and "slot_was_set" in steps[-1]:
        steps.pop()
    return steps, corrected


def validate(document: dict) -> None:
    """The shape `rasa test` reads, with the domain's intents and entities; `StoryRefused` if not."""
    intents, entities = domain_vocabulary()
    stories = document.get("stories")
    if document.get("version") != "3.1" or not isinstance(stories, list) or not stories:
        raise StoryRefused("Not a Rasa 3.1 story file.")
    for story in stories:
        steps = story.get("steps") or []
        if not story.get("story") or not any("user" in s for s in steps):
            raise StoryRefused("A story needs a name and at least one user turn.")
        for step in steps:
            if not step.keys() <= STEP_KEYS or ("intent" in step and "user" not in step):
                raise StoryRefused(f"Unknown step {sorted(step)}.")
            if "user" in step and step.get("intent") not in intents:
                raise StoryRefused(f"Intent {step.get('intent')!r} is not in the domain.")
            for name in _marked_entities(str(step.get("user", ""))):
                if name not in entities:
                    raise StoryRefused(f"Entity {name!r} is not in the domain.")


def _marked_entities(text: str) -> list[str]:
    return re.findall(r"\]\(([^)]+)\)", text)


def write_story(
    *, db_session: Session, tracker: Engine, conversation_id: str, directory: Path, reviewer: str
) -> StoryFile:
    """Write (or rewrite) the conversation's test story in `directory`; its file."""
    events = conversation_events(tracker, conversation_id)
    annotated = {a.event_id: a for a in list_annotations(db_session=db_session, conversation_id=conversation_id)}
    steps, corrected = story_steps(events, annotated)
    digest = hashlib.sha256(conversation_id.encode()).hexdigest()[:12]
    document = {"version": "3.1", "stories": [{"story": f"console {digest} reviewed by {reviewer}", "steps": steps}]}
    validate(document)
    text = HEADER + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=4096)
    validate(yaml.safe_load(text))  # what is read back is what was checked
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"console_{digest}.yml"
    path.write_text(text)
    logger.info("Wrote a test story of %d steps (%d corrected) to %s", len(steps), corrected, path)
    return StoryFile(path=path, steps=len(steps), corrected=corrected)
