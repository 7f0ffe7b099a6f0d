"""The referral state machine: which role may take which action from which state.

`TRANSITIONS` is the single source of truth. The API derives its 403/409 answers from
`decide`, the 409 body's list of permitted actions from `allowed_actions`, and the state
diagram in docs/referral-lifecycle.md from `state_diagram_mermaid`, so none of them can drift
from the table.

Pure Python on purpose: no database, web framework or validation library, so every
state × action × role combination can be tested in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from referral_service.auth.roles import Role


class ReferralState(StrEnum):
    """received -> forwarded -> responded -> closed (a follow-up sends `responded` back to `forwarded`)."""

    RECEIVED = "received"
    FORWARDED = "forwarded"
    RESPONDED = "responded"
    CLOSED = "closed"


class ReferralAction(StrEnum):
    """What can be done to a referral; `allowed_actions` lists those the calling key may do now."""

    CREATE = "create"
    FORWARD = "forward"
    ACKNOWLEDGE = "acknowledge"
    RESPOND = "respond"
    REQUEST_FOLLOW_UP = "request_follow_up"
    CLOSE = "close"
    ADD_NOTE = "add_note"


class ResponseOutcome(StrEnum):
    """What the agency reports back when it responds."""

    ACTION_TAKEN = "action_taken"
    NOT_SUBSTANTIATED = "not_substantiated"
    # The agency says the complaint is outside its authority ("bukan wewenang").
    NOT_COMPETENT = "not_competent"


class DueDateChangeReason(StrEnum):
    """Why the service itself moved a running deadline (`referral.due_date_changed`, `data.reason`)."""

    # An administrator added or removed a non-working day inside the deadline's window.
    CALENDAR_CHANGED = "calendar_changed"


class Resolution(StrEnum):
    """Why the Ombudsman closed the referral.

    `not_resolved` exists because "closed" must not imply "fixed": comparable systems were
    asked by their users for exactly that distinction.
    """

    RESOLVED = "resolved"
    NOT_RESOLVED = "not_resolved"
    WITHDRAWN = "withdrawn"
    NOT_COMPETENT = "not_competent"
    DUPLICATE = "duplicate"
    CANCELLED = "cancelled"


# Admin operates the platform and may stand in for the Ombudsman, never for an agency:
# an agency's answer must come from the agency.
OMBUDSMAN_SIDE: frozenset[Role] = frozenset({Role.OMBUDSMAN, Role.ADMIN})
AGENCY_SIDE: frozenset[Role] = frozenset({Role.AGENCY})


@dataclass(frozen=True, slots=True)
class Transition:
    """One row of the table.

    `from_states` may contain None, meaning "the referral does not exist yet".
    `to_state` None means the action leaves the state unchanged.
    `detail` is the enum whose value the action must carry (an outcome, a resolution).
    """

    action: ReferralAction
    from_states: frozenset[ReferralState | None]
    to_state: ReferralState | None
    roles: frozenset[Role]
    detail: type[ResponseOutcome] | type[Resolution] | None = None


_S = ReferralState
_A = ReferralAction

TRANSITIONS: tuple[Transition, ...] = (
    Transition(_A.CREATE, frozenset({None}), _S.RECEIVED, OMBUDSMAN_SIDE),
    Transition(_A.FORWARD, frozenset({_S.RECEIVED}), _S.FORWARDED, OMBUDSMAN_SIDE),
    Transition(_A.ACKNOWLEDGE, frozenset({_S.FORWARDED}), _S.FORWARDED, AGENCY_SIDE),
    Transition(_A.RESPOND, frozenset({_S.FORWARDED}), _S.RESPONDED, AGENCY_SIDE, ResponseOutcome),
    Transition(_A.REQUEST_FOLLOW_UP, frozenset({_S.RESPONDED}), _S.FORWARDED, OMBUDSMAN_SIDE),
    Transition(
        _A.CLOSE,
        frozenset({_S.RECEIVED, _S.FORWARDED, _S.RESPONDED}),
        _S.CLOSED,
        OMBUDSMAN_SIDE,
        Resolution,
    ),
    Transition(
        _A.ADD_NOTE,
        frozenset({_S.FORWARDED, _S.RESPONDED}),
        None,
        OMBUDSMAN_SIDE | AGENCY_SIDE,
    ),
)


class ReferralRuleViolation(Exception):
    """Base for every refusal by the state machine."""


class RoleNotPermitted(ReferralRuleViolation):
    """The role may never take this action, whatever the state (maps to 403)."""

    def __init__(self, action: ReferralAction, role: Role) -> None:
        self.action = action
        self.role = role
        super().__init__(f"role {role.value!r} may not {action.value!r} a referral")


class TransitionNotAllowed(ReferralRuleViolation):
    """The role may take this action, but not from the current state (maps to 409)."""

    def __init__(
        self,
        state: ReferralState | None,
        action: ReferralAction,
        allowed_actions: list[ReferralAction],
    ) -> None:
        self.state = state
        self.action = action
        self.allowed_actions = allowed_actions
        shown_state = "new" if state is None else state.value
        allowed = ", ".join(a.value for a in allowed_actions) or "none"
        super().__init__(f"cannot {action.value!r} a referral in state {shown_state!r}; allowed: {allowed}")


def transitions_for(action: ReferralAction) -> tuple[Transition, ...]:
    return tuple(t for t in TRANSITIONS if t.action is action)


def required_detail(action: ReferralAction) -> type[ResponseOutcome] | type[Resolution] | None:
    """The enum an action's payload must carry a value of, or None if it carries none."""
    details = {t.detail for t in transitions_for(action)}
    if len(details) != 1:
        raise AssertionError(f"transition table is inconsistent for {action.value!r}")
    return details.pop()


def decide(state: ReferralState | None, action: ReferralAction, role: Role) -> ReferralState:
    """Return the state the referral moves to, or raise why it may not.

    The role check comes first so that a role which can never take an action gets a 403
    that does not reveal which state the referral is in.
    """
    candidates = transitions_for(action)
    if not any(role in t.roles for t in candidates):
        raise RoleNotPermitted(action, role)
    for transition in candidates:
        if state in transition.from_states and role in transition.roles:
            if transition.to_state is not None:
                return transition.to_state
            if state is None:
                raise AssertionError("an unchanged-state transition cannot start from new")
            return state
    raise TransitionNotAllowed(state, action, allowed_actions(state, role))


def allowed_actions(state: ReferralState | None, role: Role) -> list[ReferralAction]:
    """Actions this role may take from this state, sorted by name."""
    return sorted({t.action for t in TRANSITIONS if state in t.from_states and role in t.roles})


def state_diagram_mermaid() -> str:
    """A Mermaid `stateDiagram-v2` drawn from `TRANSITIONS`; same table, same text."""
    lines = ["stateDiagram-v2"]
    for transition in TRANSITIONS:
        label = f"{transition.action.value} by {_role_names(transition.roles)}"
        for source in _ordered_states(transition.from_states):
            target = transition.to_state or source
            lines.append(f"    {_node(source)} --> {_node(target)} : {label}")
    for final in _final_states():
        lines.append(f"    {final.value} --> [*]")
    return "\n".join(lines) + "\n"


def _node(state: ReferralState | None) -> str:
    return "[*]" if state is None else state.value


def _role_names(roles: Iterable[Role]) -> str:
    return "/".join(sorted(role.value for role in roles))


def _ordered_states(states: Iterable[ReferralState | None]) -> list[ReferralState | None]:
    # Enum declaration order (new first) keeps the diagram stable across runs; frozenset
    # iteration order is not guaranteed.
    order: list[ReferralState | None] = [None, *ReferralState]
    return sorted(states, key=order.index)


def _final_states() -> list[ReferralState]:
    with_exit = {s for t in TRANSITIONS for s in t.from_states if s is not None}
    return [s for s in ReferralState if s not in with_exit]
