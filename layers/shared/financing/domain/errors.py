"""Domain failures. The API glue maps each to a status and an envelope per family."""

from dataclasses import dataclass, field


class DomainError(Exception):
    """Base of every failure a caller can cause or observe."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FieldProblem:
    """One thing wrong with the input: where it is and what is wrong with it."""

    field: str
    message: str
    code: str = "invalid"


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a business rule (400)."""

    code = "invalid_input"

    def __init__(self, problems: list[FieldProblem], message: str = "The request is invalid.") -> None:
        super().__init__(message)
        self.problems = problems


class NotFound(DomainError):
    """The resource does not exist for this tenant (404). Another tenant's resource is also NotFound."""

    code = "not_found"

    def __init__(self, resource: str, resource_id: str) -> None:
        super().__init__(f"No such {resource}: '{resource_id}'.")
        self.resource = resource
        self.resource_id = resource_id


@dataclass
class Conflict(DomainError):
    """The request conflicts with the current state (409): a duplicate, or a lost race."""

    message: str
    code: str = "conflict"
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(self.message)


class StateConflict(DomainError):
    """The resource's current state does not allow this (409); `code` says why, `details` what the state is."""

    code = "state_conflict"

    def __init__(self, message: str, code: str | None = None, details: dict | None = None) -> None:
        super().__init__(message)
        if code:
            self.code = code
        self.details = details or {}


class Unprocessable(DomainError):
    """Well-formed and allowed, but the values cannot be applied (422); `problems` name the fields."""

    code = "unprocessable"

    def __init__(self, message: str, problems: list[FieldProblem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
