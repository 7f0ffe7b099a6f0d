"""Who may see what: the one place the visibility rules live, as Python checks and as SQL.

Every read, list and write of a complaint or a referral asks this module, in Python (one row
already loaded) or in SQL (a list filter), and both forms come from the same rules:

- admin and national Ombudsman keys see everything;
- a region-limited Ombudsman key sees complaints of its region (a region covers every region
  below it: `64` covers `64.72`) and referrals whose complaint *or* agency is in its region (a
  national key may refer across regions; both regions' Ombudsman then follow the referral);
- an agency key sees no complaint directly, and only the referrals forwarded to its own agency
  (a referral it has never been forwarded is indistinguishable from a missing one); of such a
  referral's timeline, the events from the forward on, never the announcement of an identity
  document while the complainant is confidential, and never a confidential complainant's identity;
- the event feed serves each key what its webhook subscriptions receive: the same regions for the
  Ombudsman side, the agency body of its own referrals' events for an agency.

SQL clauses are written once per shape of principal (agency / region-limited / unlimited) and
take their values as named parameters (db/sql.py), so a statement has a handful of stable texts.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from referral_service.auth.principal import Principal, region_in_scope, region_prefix_pattern
from referral_service.auth.roles import Role
from referral_service.db.driver import Row
from referral_service.db.sql import FALSE, TRUE, Sql

# --- complaints -------------------------------------------------------------------------------


def complaint_visible(principal: Principal, region_code: str) -> bool:
    return principal.role is not Role.AGENCY and region_in_scope(region_code, principal.region_code)


def identity_hidden_from_agency(complaint: Row) -> bool:
    """UU 37/2008 art. 24(2): a confidential complainant's identity never reaches an agency."""
    return bool(complaint.get("identity_confidential"))


def redact_for_agency(complaint: dict[str, Any]) -> dict[str, Any]:
    """A complaint (its representation) as an agency may see it: no identity of a confidential complainant."""
    if not identity_hidden_from_agency(complaint):
        return complaint
    return {**complaint, "complainant": None}


# --- referrals --------------------------------------------------------------------------------


def visible_to_agency(state: str | None, *, was_forwarded: bool) -> bool:
    """Whether the agency a referral is addressed to may see it at all (`state` a ReferralState value).

    `was_forwarded` must be true once the referral has been forwarded at least once
    (callers pass `forwarded_at is not None`). A referral the Ombudsman closed straight
    from `received` was never sent, so the agency must never learn it existed; the state
    alone cannot tell that apart from a closed referral the agency did handle.
    """
    if state is None or state == "received":
        return False
    # Inconsistent input (e.g. forwarded without a forward time) stays hidden: leaking a
    # complaint to an agency is worse than hiding one.
    return was_forwarded


def referral_visible(
    principal: Principal,
    *,
    agency_code: str,
    state: str,
    forwarded_at: datetime | None,
    complaint_region_code: str,
    agency_region_code: str,
) -> bool:
    if principal.role is Role.AGENCY:
        return agency_code == principal.agency_code and visible_to_agency(state, was_forwarded=forwarded_at is not None)
    return region_in_scope(complaint_region_code, principal.region_code) or region_in_scope(
        agency_region_code, principal.region_code
    )


def reaches_agency(principal: Principal, agency_code: str, agency_region_code: str) -> bool:
    """The agency is within the key's reach (its inbound settings and push log, its figures): an
    agency key reaches only itself, a region-limited key the agencies of its region, national keys
    every agency."""
    if principal.role is Role.AGENCY:
        return agency_code == principal.agency_code
    return region_in_scope(agency_region_code, principal.region_code)


def complainant_hidden(principal: Principal, confidential: bool) -> bool:
    """Whether the complainant's identity is withheld from the key: from agencies while the complaint
    is confidential (checked now: bodies stored before the complaint became confidential too)."""
    return confidential and principal.role is Role.AGENCY


def may_refer_to(principal: Principal, agency_region_code: str) -> bool:
    """A region-limited key refers only to agencies inside its region; national keys anywhere."""
    return principal.role is not Role.AGENCY and region_in_scope(agency_region_code, principal.region_code)


# --- the rules as composable SQL (named parameters; see db/sql.py) ------------------------------
#
# Each clause names its parameters `scope_*`; a statement that also filters by a region the client
# asked for passes another `name` to `in_region`. The clause texts depend only on the shape of the
# principal (agency / region-limited / unlimited), so each statement has a handful of shapes.


def in_region(column: str, region_code: str, *, name: str = "region") -> Sql:
    """`column` is `region_code` or a region below it (`64` covers `64.72`), served by a
    text_pattern_ops index on the column."""
    return Sql(
        f"({column} = :{name} OR {column} LIKE :{name}_below ESCAPE '\\')",
        **{name: region_code, f"{name}_below": region_prefix_pattern(region_code)},
    )


def scope_covers(scope_column: str, region: str) -> Sql:
    """`scope_column` (a key's region, NULL for national) covers the region `region`: the rule read
    the other way round, for matching many owners' scopes against one region (the outbox's fan-out
    to subscriptions, whose owners' scopes are rows). `region` is a column or a placeholder."""
    return Sql(f"({scope_column} IS NULL OR {region} = {scope_column} OR starts_with({region}, {scope_column} || '.'))")


def _in_either_region(complaint_region: str, agency_region: str, region_code: str) -> Sql:
    # A region-limited Ombudsman key follows a referral from either end: its complaint's region or
    # its agency's (they differ for a cross-region referral by a national key).
    return Sql.join(
        " OR ",
        [
            in_region(complaint_region, region_code, name="scope_region"),
            in_region(agency_region, region_code, name="scope_region"),
        ],
    ).wrapped()


def complaint_clause(principal: Principal, *, complaint: str = "c") -> Sql:
    """Complaints the principal may list (agency keys never reach a complaint list)."""
    if principal.role is Role.AGENCY:
        return FALSE
    if principal.region_code is None:
        return TRUE
    return in_region(f"{complaint}.region_code", principal.region_code, name="scope_region")


def referral_clause(principal: Principal, *, referral: str = "r", complaint: str = "c", agency: str = "a") -> Sql:
    """Referrals the principal may list. For agencies: its own, once forwarded (the queue's index
    leads with agency_code)."""
    if principal.role is Role.AGENCY:
        return Sql(
            f"({referral}.agency_code = :scope_agency AND {referral}.forwarded_at IS NOT NULL)",
            scope_agency=principal.agency_code,
        )
    if principal.region_code is None:
        return TRUE
    return _in_either_region(f"{complaint}.region_code", f"{agency}.region_code", principal.region_code)


# --- a referral's timeline ----------------------------------------------------------------------
#
# Asked by the API's timeline and by the web view's referral page (referrals/timeline.py), so the
# page cannot show an event the API withholds.

# Before the forward, a referral is the Ombudsman's own business.
AGENCY_HIDDEN_EVENT_TYPES = ("referral.created",)
IDENTITY_DOCUMENT_EVENT = "attachment.added"


def timeline_event_visible(
    principal: Principal, *, event_type: str, data: Mapping[str, Any] | None, confidential: bool
) -> bool:
    """One event of a referral the key may read (`referral_visible`); `confidential`: whether the
    complainant's identity is confidential now (an identity document announced before it became
    confidential is hidden too)."""
    if principal.role is not Role.AGENCY:
        return True
    if event_type in AGENCY_HIDDEN_EVENT_TYPES:
        return False
    return not (confidential and event_type == IDENTITY_DOCUMENT_EVENT and bool((data or {}).get("contains_identity")))


def timeline_clause(principal: Principal, *, confidential: bool, event: str = "e") -> Sql:
    """`timeline_event_visible` as a condition on the events of one referral (alias `event`)."""
    if principal.role is not Role.AGENCY:
        return TRUE
    clause = Sql(f"NOT ({event}.type = ANY (:scope_hidden_types))", scope_hidden_types=list(AGENCY_HIDDEN_EVENT_TYPES))
    if not confidential:
        return clause
    return Sql.join(
        " AND ",
        [
            clause,
            Sql(
                f"NOT ({event}.type = :scope_identity_event"
                f" AND coalesce(({event}.data ->> 'contains_identity')::boolean, false))",
                scope_identity_event=IDENTITY_DOCUMENT_EVENT,
            ),
        ],
    ).wrapped()


# --- the event feed ---------------------------------------------------------------------------


def feed_clause(principal: Principal, *, feed: str = "f") -> Sql:
    """Rows of `event_feed` (alias `feed`) the key may read: what its webhook subscriptions receive.
    An agency's rows are those with an agency body (built only for events an agency may receive)
    for its own referrals; serve it `feed_body_column`."""
    if principal.role is Role.AGENCY:
        return Sql(
            f"({feed}.agency_body IS NOT NULL AND {feed}.agency_code = :scope_agency)",
            scope_agency=principal.agency_code,
        )
    if principal.region_code is None:
        return TRUE
    return _in_either_region(f"{feed}.region_code", f"{feed}.agency_region_code", principal.region_code)


def feed_body_column(principal: Principal, *, feed: str = "f") -> str:
    """The stored body the key is served: the agency's (redacted) one, or the Ombudsman side's."""
    return f"{feed}.agency_body" if principal.role is Role.AGENCY else f"{feed}.full_body"


# --- webhook endpoints ------------------------------------------------------------------------
#
# An endpoint's scope is that of the key that created it (its owner_* columns, fixed for life). A
# key manages: admin, every endpoint; agency, the endpoints of keys of its own agency; Ombudsman,
# the Ombudsman endpoints whose owner region lies inside its own (a national key: all of them).
# Anything else answers 404, as if it did not exist.


def endpoint_visible(
    principal: Principal, *, owner_role: str, owner_agency_code: str | None, owner_region_code: str | None
) -> bool:
    if principal.role is Role.ADMIN:
        return True
    if principal.role is Role.AGENCY:
        return owner_role == Role.AGENCY.value and owner_agency_code == principal.agency_code
    if owner_role != Role.OMBUDSMAN.value:
        return False
    if principal.region_code is None:
        return True
    return owner_region_code is not None and region_in_scope(owner_region_code, principal.region_code)


def endpoint_clause(principal: Principal, *, endpoint: str = "e") -> Sql:
    """Webhook endpoints the principal may see and manage (`endpoint_visible` as SQL)."""
    if principal.role is Role.ADMIN:
        return TRUE
    if principal.role is Role.AGENCY:
        return Sql(
            f"({endpoint}.owner_role = 'agency' AND {endpoint}.owner_agency_code = :scope_agency)",
            scope_agency=principal.agency_code,
        )
    if principal.region_code is None:
        return Sql(f"({endpoint}.owner_role = 'ombudsman')")
    return (
        Sql(f"({endpoint}.owner_role = 'ombudsman' AND ")
        + in_region(f"{endpoint}.owner_region_code", principal.region_code, name="scope_region")
        + ")"
    )


def agency_figures_clause(principal: Principal, *, agency: str = "a") -> Sql:
    """Agencies whose figures (the performance report) the principal may see: an agency key its own
    row, a region-limited Ombudsman key the agencies of its region, the others every agency."""
    if principal.role is Role.AGENCY:
        return Sql(f"{agency}.code = :scope_agency", scope_agency=principal.agency_code)
    if principal.region_code is None:
        return TRUE
    return in_region(f"{agency}.region_code", principal.region_code, name="scope_region")
