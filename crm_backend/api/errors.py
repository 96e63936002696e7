"""The common error shape, described for the OpenAPI document of /api."""

from pydantic import BaseModel


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every error: `{"error": {"code": ..., "message": ...}}`."""

    error: ErrorDetail


_DESCRIPTIONS = {
    401: "No valid agent session (missing, unknown or expired token, or inactive agent).",
    403: "The agent's role does not allow this.",
    404: "No such resource.",
    409: "The resource is not in a state that allows this.",
    413: "The request body is too large.",
    422: "The request is not valid.",
    429: "Too many failed logins; try again later.",
    503: "A service this needs (Rasa) did not answer; nothing was changed.",
}


def error_responses(*status_codes: int) -> dict[int | str, dict]:
    """`responses=` for a route: each listed status documented with the common error shape."""
    return {code: {"model": ErrorResponse, "description": _DESCRIPTIONS[code]} for code in status_codes}
