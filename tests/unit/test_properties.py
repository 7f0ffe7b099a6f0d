"""Property-based tests (hypothesis) of the two pure rule sets: working-day arithmetic and the
referral transition table. The example-based tests beside them pin the known cases; these search
for the cases nobody wrote down (year ends, overrides next to holidays, long action sequences)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from referral_service.auth import scope
from referral_service.auth.roles import Role
from referral_service.referrals import domain
from referral_service.referrals.calendar import CalendarOverrides, WorkingCalendar
from referral_service.referrals.domain import ReferralAction, ReferralRuleViolation, ReferralState

ZONES = ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura")  # WIB, WITA, WIT

starts = st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2034, 12, 31), timezones=st.just(UTC))
# Deadlines that straddle a year end: the package's holidays are loaded one year at a time.
year_end_starts = st.builds(
    lambda year, day, hour: datetime(year, 12, day, hour, tzinfo=UTC),
    st.integers(2001, 2034),
    st.integers(10, 31),
    st.integers(0, 23),
)
working_days = st.integers(min_value=1, max_value=60)
zones = st.sampled_from(ZONES)


@st.composite
def calendars(draw, near: datetime | None = None) -> WorkingCalendar:
    """The package calendar with a few random overrides within ~3 months of `near`."""
    base = (near or datetime(2026, 6, 1, tzinfo=UTC)).date()
    offsets = st.integers(min_value=-5, max_value=90)
    off = draw(st.sets(offsets, max_size=4))
    on = draw(st.sets(offsets, max_size=4)) - off
    return WorkingCalendar(
        CalendarOverrides(
            extra_non_working={base + timedelta(days=d): "Cuti tambahan" for d in off},
            declared_working=frozenset(base + timedelta(days=d) for d in on),
        )
    )


@st.composite
def deadline_cases(draw, start_strategy=starts):
    start = draw(start_strategy)
    return start, draw(working_days), draw(zones), draw(calendars(near=start))


@settings(max_examples=200, deadline=None)
@given(deadline_cases())
def test_adding_n_working_days_then_counting_back_gives_n(case) -> None:
    start, n, zone, calendar = case
    due = calendar.add_working_days(start, n, zone)
    assert calendar.working_days_between(start, due, zone) == n
    assert calendar.working_days_remaining(start, due, zone) == n


@settings(max_examples=200, deadline=None)
@given(deadline_cases())
def test_no_deadline_lands_on_a_non_working_day(case) -> None:
    start, n, zone, calendar = case
    due = calendar.add_working_days(start, n, zone)
    local = due.astimezone(ZoneInfo(zone))
    assert calendar.is_working_day(local.date())
    assert (local.hour, local.minute, local.second) == (23, 59, 59)  # the end of that working day
    assert due > start


@settings(max_examples=150, deadline=None)
@given(deadline_cases(start_strategy=year_end_starts))
def test_deadlines_across_year_ends_count_every_working_day_once(case) -> None:
    start, n, zone, calendar = case
    due = calendar.add_working_days(start, n, zone)
    # Brute force, day by day, with nothing memoized: the same count across the year boundary.
    first = start.astimezone(ZoneInfo(zone)).date()
    last = due.astimezone(ZoneInfo(zone)).date()
    counted = sum(
        1 for offset in range(1, (last - first).days + 1) if calendar.is_working_day(first + timedelta(days=offset))
    )
    assert counted == n
    assert last.year in (first.year, first.year + 1, first.year + 2)


@settings(max_examples=100, deadline=None)
@given(deadline_cases())
def test_one_more_working_day_is_a_later_deadline(case) -> None:
    start, n, zone, calendar = case
    assert calendar.add_working_days(start, n + 1, zone) > calendar.add_working_days(start, n, zone)


def test_weekends_are_never_working_days_unless_declared() -> None:
    calendar = WorkingCalendar()
    saturday = date(2026, 12, 5)
    assert not calendar.is_working_day(saturday)
    assert WorkingCalendar(CalendarOverrides(declared_working=frozenset({saturday}))).is_working_day(saturday)


# --- the transition table ------------------------------------------------------------------------

steps = st.lists(st.tuples(st.sampled_from(list(ReferralAction)), st.sampled_from(list(Role))), max_size=40)


def _allowed_by_table(state: ReferralState | None, action: ReferralAction, role: Role) -> ReferralState | None:
    """What the table itself says, read row by row (independently of `domain.decide`)."""
    for row in domain.TRANSITIONS:
        if row.action is action and role in row.roles and state in row.from_states:
            return row.to_state if row.to_state is not None else state
    raise LookupError


@settings(max_examples=500, deadline=None)
@given(steps)
def test_random_action_sequences_only_take_transitions_the_table_allows(sequence) -> None:
    state: ReferralState | None = None
    timeline: list[tuple[ReferralState | None, ReferralAction, Role, ReferralState]] = []
    for action, role in sequence:
        try:
            target = domain.decide(state, action, role)
        except domain.RoleNotPermitted:
            assert all(role not in row.roles for row in domain.transitions_for(action))
            continue
        except domain.TransitionNotAllowed as refused:
            assert action not in refused.allowed_actions
            assert refused.allowed_actions == domain.allowed_actions(state, role)
            continue
        assert target == _allowed_by_table(state, action, role)
        assert action in domain.allowed_actions(state, role)
        timeline.append((state, action, role, target))
        state = target
    # The timeline replays to the final state: each event starts where the previous one ended,
    # and deciding its action again gives its recorded target.
    replayed: ReferralState | None = None
    for before, action, role, after in timeline:
        assert before == replayed
        replayed = domain.decide(replayed, action, role)
        assert replayed == after
    assert replayed == state
    # Only CREATE starts a referral; nothing leaves CLOSED.
    if timeline:
        assert timeline[0][1] is ReferralAction.CREATE
    assert all(before is not ReferralState.CLOSED for before, *_ in timeline)


@settings(max_examples=300, deadline=None)
@given(steps)
def test_an_agency_acts_only_on_referrals_forwarded_to_it(sequence) -> None:
    state: ReferralState | None = None
    forwarded = False
    for action, role in sequence:
        try:
            target = domain.decide(state, action, role)
        except ReferralRuleViolation:
            continue
        if role is Role.AGENCY:
            # Whatever an agency may do, it may do only on a referral it can see.
            assert scope.visible_to_agency(state, was_forwarded=forwarded)
        forwarded = forwarded or action is ReferralAction.FORWARD
        state = target
