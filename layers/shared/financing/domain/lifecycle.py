"""The invoice lifecycle: one state machine decides which action is allowed from which status.

draft -> new -> (additional_info_required <-> new) -> requesting_signatures -> approved
      -> financed -> (overdue) -> repaid;  overdue -> defaulted;  declined from any pre-funding status.
"""

from enum import StrEnum

from financing.domain.errors import StateConflict


class Status(StrEnum):
    DRAFT = "draft"
    NEW = "new"
    ADDITIONAL_INFO_REQUIRED = "additional_info_required"
    DECLINED = "declined"
    REQUESTING_SIGNATURES = "requesting_signatures"
    APPROVED = "approved"
    FINANCED = "financed"
    OVERDUE = "overdue"
    REPAID = "repaid"
    DEFAULTED = "defaulted"


class Action(StrEnum):
    SUBMIT = "submit"
    REQUEST_INFO = "request_info"
    DECLINE = "decline"
    REQUEST_SIGNATURES = "request_signatures"
    SIGN = "sign"
    FUND = "fund"
    RECORD_PAYMENT = "payments"
    MARK_OVERDUE = "mark_overdue"
    MARK_DEFAULTED = "mark_defaulted"
    EDIT = "edit"
    DELETE = "delete"


S = Status
PRE_FUNDING = {S.NEW, S.ADDITIONAL_INFO_REQUIRED, S.REQUESTING_SIGNATURES, S.APPROVED}
# Statuses in which the financed advance still uses the buyer's limit.
EXPOSED = {S.FINANCED, S.OVERDUE, S.DEFAULTED}
# Statuses in which a financed invoice is a contract (what Open Finance shares).
CONTRACTS = {S.FINANCED, S.OVERDUE, S.DEFAULTED, S.REPAID}

ALLOWED_FROM: dict[Action, frozenset[Status]] = {
    Action.SUBMIT: frozenset({S.DRAFT, S.ADDITIONAL_INFO_REQUIRED}),
    Action.REQUEST_INFO: frozenset({S.NEW}),
    Action.DECLINE: frozenset(PRE_FUNDING),
    Action.REQUEST_SIGNATURES: frozenset({S.NEW}),
    Action.SIGN: frozenset({S.REQUESTING_SIGNATURES}),
    Action.FUND: frozenset({S.APPROVED}),
    Action.RECORD_PAYMENT: frozenset({S.FINANCED, S.OVERDUE, S.DEFAULTED}),
    Action.MARK_OVERDUE: frozenset({S.FINANCED}),
    Action.MARK_DEFAULTED: frozenset({S.OVERDUE}),
    Action.EDIT: frozenset({S.DRAFT}),
    Action.DELETE: frozenset({S.DRAFT}),
}

# Where an action leads when its outcome does not depend on the invoice (sign and payments do).
LEADS_TO: dict[Action, Status] = {
    Action.SUBMIT: S.NEW,
    Action.REQUEST_INFO: S.ADDITIONAL_INFO_REQUIRED,
    Action.DECLINE: S.DECLINED,
    Action.REQUEST_SIGNATURES: S.REQUESTING_SIGNATURES,
    Action.FUND: S.FINANCED,
    Action.MARK_OVERDUE: S.OVERDUE,
    Action.MARK_DEFAULTED: S.DEFAULTED,
}


class TransitionNotAllowed(StateConflict):
    """The action is not allowed from the invoice's current status (409, naming the status)."""

    def __init__(self, action: Action, status: Status) -> None:
        super().__init__(
            f"Cannot {action.value.replace('_', ' ')} an invoice that is '{status.value}'.",
            code="invalid_transition",
            details={"status": status.value},
        )
        self.action = action
        self.status = status


def check(action: Action, status: Status) -> None:
    if status not in ALLOWED_FROM[action]:
        raise TransitionNotAllowed(action, status)


def next_status(action: Action, status: Status) -> Status:
    check(action, status)
    return LEADS_TO[action]
