"""Constrained input types shared by the /api and /bot schemas."""

from typing import Annotated

from fastapi import Path
from pydantic import AfterValidator, StringConstraints

# PostgreSQL integer columns: ids beyond this can never exist, so they are refused as input.
MAX_ID = 2**31 - 1


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL characters; refuse them up front instead of failing later.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def text(max_length: int, *, min_length: int = 1) -> type[str]:
    """A stripped string of bounded length without NUL characters."""
    return Annotated[  # type: ignore[return-value]
        str,
        StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length),
        AfterValidator(_no_nul),
    ]


IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
