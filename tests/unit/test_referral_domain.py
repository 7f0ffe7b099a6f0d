"""The referral state machine, checked against a table written out by hand.

The expectations below are deliberately spelled out literally rather than derived from
`domain.TRANSITIONS`: a test that reads the table it is testing would agree with any bug.
"""

from __future__ import annotations

import itertools

import pytest

from referral_service.auth.roles import Role
from referral_service.auth.scope import visible_to_agency
from referral_service.referrals.domain import (
    TRANSITIONS,
    ReferralAction,
    ReferralRuleViolation,
    ReferralState,
    Resolution,
    ResponseOutcome,
    RoleNotPermitted,
    TransitionNotAllowed,
    allowed_actions,
    decide,
    required_detail,
    state_diagram_mermaid,
)

NEW = None
RECEIVED = ReferralState.RECEIVED
FORWARDED = ReferralState.FORWARDED
RESPONDED = ReferralState.RESPONDED
CLOSED = ReferralState.CLOSED

CREATE = ReferralAction.CREATE
FORWARD = ReferralAction.FORWARD
ACKNOWLEDGE = ReferralAction.ACKNOWLEDGE
RESPOND = ReferralAction.RESPOND
REQUEST_FOLLOW_UP = ReferralAction.REQUEST_FOLLOW_UP
CLOSE = ReferralAction.CLOSE
ADD_NOTE = ReferralAction.ADD_NOTE

ADMIN = Role.ADMIN
OMBUDSMAN = Role.OMBUDSMAN
AGENCY = Role.AGENCY

ALL_STATES = [NEW, RECEIVED, FORWARDED, RESPONDED, CLOSED]
ALL_ACTIONS = [CREATE, FORWARD, ACKNOWLEDGE, RESPOND, REQUEST_FOLLOW_UP, CLOSE, ADD_NOTE]
ALL_ROLES = [ADMIN, OMBUDSMAN, AGENCY]

# Every permitted (state, action, role) and the state it leads to. Anything absent is refused.
PERMITTED: dict[tuple[ReferralState | None, ReferralAction, Role], ReferralState] = {
    (NEW, CREATE, OMBUDSMAN): RECEIVED,
    (NEW, CREATE, ADMIN): RECEIVED,
    (RECEIVED, FORWARD, OMBUDSMAN): FORWARDED,
    (RECEIVED, FORWARD, ADMIN): FORWARDED,
    (FORWARDED, ACKNOWLEDGE, AGENCY): FORWARDED,
    (FORWARDED, RESPOND, AGENCY): RESPONDED,
    (RESPONDED, REQUEST_FOLLOW_UP, OMBUDSMAN): FORWARDED,
    (RESPONDED, REQUEST_FOLLOW_UP, ADMIN): FORWARDED,
    (RECEIVED, CLOSE, OMBUDSMAN): CLOSED,
    (RECEIVED, CLOSE, ADMIN): CLOSED,
    (FORWARDED, CLOSE, OMBUDSMAN): CLOSED,
    (FORWARDED, CLOSE, ADMIN): CLOSED,
    (RESPONDED, CLOSE, OMBUDSMAN): CLOSED,
    (RESPONDED, CLOSE, ADMIN): CLOSED,
    (FORWARDED, ADD_NOTE, OMBUDSMAN): FORWARDED,
    (FORWARDED, ADD_NOTE, ADMIN): FORWARDED,
    (FORWARDED, ADD_NOTE, AGENCY): FORWARDED,
    (RESPONDED, ADD_NOTE, OMBUDSMAN): RESPONDED,
    (RESPONDED, ADD_NOTE, ADMIN): RESPONDED,
    (RESPONDED, ADD_NOTE, AGENCY): RESPONDED,
}

# Actions a role may take from at least one state; any other action is a 403 for that role.
EVER_PERMITTED: dict[Role, set[ReferralAction]] = {
    OMBUDSMAN: {CREATE, FORWARD, REQUEST_FOLLOW_UP, CLOSE, ADD_NOTE},
    ADMIN: {CREATE, FORWARD, REQUEST_FOLLOW_UP, CLOSE, ADD_NOTE},
    AGENCY: {ACKNOWLEDGE, RESPOND, ADD_NOTE},
}

# What the 409 body should offer instead, per role and state.
ALLOWED: dict[tuple[ReferralState | None, Role], list[ReferralAction]] = {
    (NEW, OMBUDSMAN): [CREATE],
    (NEW, ADMIN): [CREATE],
    (NEW, AGENCY): [],
    (RECEIVED, OMBUDSMAN): [CLOSE, FORWARD],
    (RECEIVED, ADMIN): [CLOSE, FORWARD],
    (RECEIVED, AGENCY): [],
    (FORWARDED, OMBUDSMAN): [ADD_NOTE, CLOSE],
    (FORWARDED, ADMIN): [ADD_NOTE, CLOSE],
    (FORWARDED, AGENCY): [ACKNOWLEDGE, ADD_NOTE, RESPOND],
    (RESPONDED, OMBUDSMAN): [ADD_NOTE, CLOSE, REQUEST_FOLLOW_UP],
    (RESPONDED, ADMIN): [ADD_NOTE, CLOSE, REQUEST_FOLLOW_UP],
    (RESPONDED, AGENCY): [ADD_NOTE],
    (CLOSED, OMBUDSMAN): [],
    (CLOSED, ADMIN): [],
    (CLOSED, AGENCY): [],
}


def _case_id(case: tuple[ReferralState | None, ReferralAction, Role]) -> str:
    state, action, role = case
    return f"{state or 'new'}-{action}-{role}"


EVERY_CASE = list(itertools.product(ALL_STATES, ALL_ACTIONS, ALL_ROLES))


def test_the_cases_cover_every_state_action_and_role() -> None:
    assert set(ALL_STATES) - {NEW} == set(ReferralState)
    assert set(ALL_ACTIONS) == set(ReferralAction)
    assert set(ALL_ROLES) == set(Role)
    assert len(EVERY_CASE) == 5 * 7 * 3


@pytest.mark.parametrize("case", EVERY_CASE, ids=_case_id)
def test_decide_matches_the_hand_written_table(
    case: tuple[ReferralState | None, ReferralAction, Role],
) -> None:
    state, action, role = case
    if case in PERMITTED:
        assert decide(state, action, role) is PERMITTED[case]
    elif action not in EVER_PERMITTED[role]:
        with pytest.raises(RoleNotPermitted) as refused:
            decide(state, action, role)
        assert (refused.value.action, refused.value.role) == (action, role)
    else:
        with pytest.raises(TransitionNotAllowed) as refused:
            decide(state, action, role)
        assert refused.value.state == state
        assert refused.value.action is action
        assert refused.value.allowed_actions == ALLOWED[(state, role)]


@pytest.mark.parametrize(("state", "role"), list(ALLOWED), ids=lambda v: str(v or "new"))
def test_allowed_actions(state: ReferralState | None, role: Role) -> None:
    assert allowed_actions(state, role) == ALLOWED[(state, role)]


def test_role_check_comes_before_state_check() -> None:
    # An agency can never close, so it gets 403 even from a state where nobody can close:
    # the answer must not reveal the referral's state.
    with pytest.raises(RoleNotPermitted):
        decide(CLOSED, CLOSE, AGENCY)
    with pytest.raises(RoleNotPermitted):
        decide(NEW, RESPOND, OMBUDSMAN)
    # The Ombudsman may close in general, so closing twice is a conflict, not a 403.
    with pytest.raises(TransitionNotAllowed) as refused:
        decide(CLOSED, CLOSE, OMBUDSMAN)
    assert refused.value.allowed_actions == []


def test_admin_may_act_for_the_ombudsman_but_never_for_the_agency() -> None:
    assert decide(RECEIVED, FORWARD, ADMIN) is FORWARDED
    for action in (ACKNOWLEDGE, RESPOND):
        with pytest.raises(RoleNotPermitted):
            decide(FORWARDED, action, ADMIN)


def test_refusals_share_a_base_and_say_what_went_wrong() -> None:
    with pytest.raises(TransitionNotAllowed) as refused:
        decide(RECEIVED, ADD_NOTE, AGENCY)
    message = str(refused.value)
    assert "add_note" in message and "received" in message
    assert isinstance(refused.value, ReferralRuleViolation)  # one base for every refusal

    with pytest.raises(TransitionNotAllowed) as refused_new:
        decide(NEW, FORWARD, OMBUDSMAN)
    assert "'new'" in str(refused_new.value)
    assert refused_new.value.allowed_actions == [CREATE]


def test_actions_that_need_a_detail_name_its_enum() -> None:
    assert required_detail(RESPOND) is ResponseOutcome
    assert required_detail(CLOSE) is Resolution
    for action in (CREATE, FORWARD, ACKNOWLEDGE, REQUEST_FOLLOW_UP, ADD_NOTE):
        assert required_detail(action) is None


def test_outcome_and_resolution_values() -> None:
    assert [o.value for o in ResponseOutcome] == [
        "action_taken",
        "not_substantiated",
        "not_competent",
    ]
    assert [r.value for r in Resolution] == [
        "resolved",
        "not_resolved",
        "withdrawn",
        "not_competent",
        "duplicate",
        "cancelled",
    ]


def test_mermaid_diagram_draws_every_permitted_move() -> None:
    diagram = state_diagram_mermaid()
    assert diagram.startswith("stateDiagram-v2\n")
    expected_edges = {
        "[*] --> received : create",
        "received --> forwarded : forward",
        "forwarded --> forwarded : acknowledge",
        "forwarded --> responded : respond",
        "responded --> forwarded : request_follow_up",
        "received --> closed : close",
        "forwarded --> closed : close",
        "responded --> closed : close",
        "forwarded --> forwarded : add_note",
        "responded --> responded : add_note",
        "closed --> [*]",
    }
    edge_lines = [line.strip() for line in diagram.splitlines()[1:]]
    for edge in expected_edges:
        assert any(line.startswith(edge) for line in edge_lines), edge
    assert len(edge_lines) == len(expected_edges)
    assert "respond by agency" in diagram
    assert "forward by admin/ombudsman" in diagram


def test_mermaid_diagram_follows_the_table_order_not_set_order() -> None:
    """The diagram is committed in the docs and compared there: its edges must come out in the table's
    order (TRANSITIONS, then states in lifecycle order), never in a set's hash order."""
    edges = [line.strip() for line in state_diagram_mermaid().splitlines()[1:] if "-->" in line]
    table_order = [edge.split(" : ")[1].split(" by ")[0] for edge in edges if not edge.endswith("[*]")]
    actions = [t.action.value for t in TRANSITIONS for _ in t.from_states]
    assert table_order == actions


@pytest.mark.parametrize(
    ("state", "was_forwarded", "visible"),
    [
        (NEW, False, False),
        (RECEIVED, False, False),
        (FORWARDED, True, True),
        (RESPONDED, True, True),
        (CLOSED, True, True),
        # Closed straight from received: the agency was never involved.
        (CLOSED, False, False),
        # Inconsistent input errs on the side of confidentiality.
        (FORWARDED, False, False),
    ],
)
def test_visible_to_agency(state: ReferralState | None, was_forwarded: bool, visible: bool) -> None:
    assert visible_to_agency(state, was_forwarded=was_forwarded) is visible
