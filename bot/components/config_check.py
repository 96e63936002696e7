"""Configuration checks shared by our Rasa components."""

from __future__ import annotations

import difflib
from typing import Any

from rasa.shared.exceptions import InvalidConfigException


def check_options(component: str, config: dict[str, Any], defaults: dict[str, Any]) -> None:
    """Raise ``InvalidConfigException`` naming every option the component lacks.

    Rasa merges the pipeline entry over the component's defaults, so any key that
    is not a default is a typo or an option of some other component.
    """
    unknown = sorted(set(config) - set(defaults))
    if not unknown:
        return
    hints = []
    for key in unknown:
        close = difflib.get_close_matches(key, list(defaults), n=1)
        hints.append(f"'{key}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    raise InvalidConfigException(
        f"{component}: unknown option(s) {', '.join(hints)}. Valid options: {', '.join(sorted(defaults))}."
    )


def check_number(
    component: str,
    config: dict[str, Any],
    key: str,
    low: float,
    high: float | None = None,
    integer: bool = False,
) -> None:
    """Raise ``InvalidConfigException`` unless ``config[key]`` is a number in range."""
    value = config.get(key)
    kinds = (int,) if integer else (int, float)
    ok = isinstance(value, kinds) and not isinstance(value, bool)
    if ok and (value < low or (high is not None and value > high)):
        ok = False
    if not ok:
        bounds = f">= {low}" + (f" and <= {high}" if high is not None else "")
        kind = "an integer" if integer else "a number"
        raise InvalidConfigException(f"{component}: '{key}' must be {kind} {bounds}, got {value!r}.")
