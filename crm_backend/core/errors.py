"""One JSON shape for every error: `{"error": {"code": ..., "message": ...}}`.

Services raise the `ServiceError` kinds below (what went wrong, never an HTTP status); the
one handler installed by `install_error_handlers` turns each kind into its status. Interfaces
may raise `APIError` for what only they know (a missing credential, a bad header).
"""

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class APIError(Exception):
    """An interface's error with a stable machine-readable code and an HTTP status."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.code = code
        self.message = message


class ServiceError(Exception):
    """A service refused: `code` is stable for machines, `message` is for people."""

    code = "error"
    message = "The request could not be completed."

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        self.message = message or type(self).message
        self.code = code or type(self).code
        super().__init__(self.message)


class NotFound(ServiceError):
    code = "not_found"
    message = "No such resource."


class Conflict(ServiceError):
    """The resource is not in a state that allows this."""

    code = "conflict"


class Forbidden(ServiceError):
    code = "forbidden"
    message = "This is not allowed."


class Invalid(ServiceError):
    """The input is well-formed for the schema but makes no sense to the service."""

    code = "invalid_request"


class Malformed(Invalid):
    """The input cannot be read at all (answered 400 rather than 422)."""


class Gone(ServiceError):
    """It existed but can no longer be used (an expired or used code)."""

    code = "gone"


class Unauthenticated(ServiceError):
    code = "not_authenticated"
    message = "Valid credentials are required."


class Throttled(ServiceError):
    """Too many attempts; `retry_after` seconds until the next one may pass."""

    code = "too_many_attempts"
    message = "Too many attempts; try again later."

    def __init__(self, message: str | None = None, *, code: str | None = None, retry_after: float = 60) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class Unavailable(ServiceError):
    """Something the service needs (Rasa, the tracker store) is not there."""

    code = "unavailable"
    message = "A service this needs is not available."


# Most specific first: `Malformed` is an `Invalid`.
SERVICE_STATUS: tuple[tuple[type[ServiceError], int], ...] = (
    (Malformed, 400),
    (Unauthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (Gone, 410),
    (Invalid, 422),
    (Throttled, 429),
    (Unavailable, 503),
)


def status_of(error: ServiceError) -> int:
    """The HTTP status of a service error (500 for a kind nobody mapped)."""
    return next((status for kind, status in SERVICE_STATUS if isinstance(error, kind)), 500)


def error_body(code: str, message: str, **extra: object) -> dict:
    """The JSON body of an error response."""
    return {"error": {"code": code, "message": message, **extra}}


def install_error_handlers(app: FastAPI) -> None:
    """Map service errors, our errors, HTTP errors and validation errors to the common JSON shape."""

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, error: ServiceError) -> JSONResponse:
        headers = None
        if isinstance(error, Throttled):
            headers = {"Retry-After": str(max(1, round(error.retry_after)))}
        return JSONResponse(error_body(error.code, error.message), status_code=status_of(error), headers=headers)

    @app.exception_handler(APIError)
    async def _api_error(_request: Request, error: APIError) -> JSONResponse:
        return JSONResponse(error_body(error.code, error.message), status_code=error.status_code)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(error.status_code, "http_error")
        return JSONResponse(
            error_body(code, str(error.detail)),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, error: RequestValidationError) -> JSONResponse:
        details = [{"loc": list(item.get("loc", ())), "msg": item.get("msg", "")} for item in error.errors()]
        return JSONResponse(
            error_body("invalid_request", "The request is not valid.", details=details),
            status_code=422,
        )
