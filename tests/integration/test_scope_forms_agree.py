"""auth/scope.py gives each rule twice, as a Python check on a loaded row and as an SQL clause for lists:
on the same rows, for every shape of key, the two forms agree."""

from __future__ import annotations

import uuid

import pytest

from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import (
    complaint_clause,
    complaint_visible,
    referral_clause,
    referral_visible,
    timeline_clause,
    timeline_event_visible,
)
from referral_service.db.driver import pooled
from referral_service.db.sql import Sql
from referral_service.demo_documents import pdf_document
from tests.conftest import create_agency, create_complaint
from tests.integration.test_ui_meeting import upload


def _principals(agencies: list[str]) -> list[Principal]:
    def key(role: Role, **kw: str) -> Principal:
        return Principal(key_id=uuid.uuid4(), role=role, name=f"{role.value} {kw}", **kw)  # type: ignore[arg-type]

    return [
        key(Role.ADMIN),
        key(Role.OMBUDSMAN),
        *(key(Role.OMBUDSMAN, region_code=code) for code in ("64", "64.72", "64.74", "63", "6")),
        *(key(Role.AGENCY, agency_code=code) for code in agencies),
    ]


@pytest.fixture(scope="module")
async def rows(admin, ombudsman, kaltim):
    """Referrals in every state of being forwarded, in two regions and across them, with identity
    documents and ordinary ones on confidential and open complaints."""
    here = await create_agency(admin, region_code="64.72")
    there = await create_agency(admin, region_code="63.71")
    complaints, referrals = [], []
    for region, confidential in (("64.72", True), ("64.74", False), ("63.71", True)):
        complaint = await create_complaint(ombudsman, region_code=region, identity_confidential=confidential)
        complaints.append(complaint["id"])
        for agency, forward in ((here, True), (there, True), (here, False)):
            created = await ombudsman.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": agency})
            if created.status_code == 409:  # one open referral per agency and complaint
                continue
            assert created.status_code == 201, created.text
            rid = created.json()["id"]
            referrals.append(rid)
            if forward:
                assert (await ombudsman.post(f"/v1/referrals/{rid}/forward", json={})).status_code == 200
            for identity in (True, False):
                await upload(
                    ombudsman,
                    f"/v1/referrals/{rid}/attachments",
                    pdf_document("x", ["y"]),
                    "application/pdf",
                    "x.pdf",
                    identity,
                )
    return {"agencies": [here, there, "inspektorat-64.72"], "complaints": complaints, "referrals": referrals}


async def test_complaint_and_referral_checks_agree_with_their_clauses(app, rows):
    answers = set()
    async with pooled(app.state.pool) as db:
        for principal in _principals(rows["agencies"]):
            found = await db.fetch(
                Sql("SELECT c.id, c.region_code, ")
                + complaint_clause(principal)
                + Sql(" AS listed FROM complaints c WHERE c.id = ANY (:ids::uuid[])", ids=rows["complaints"])
            )
            assert len(found) == len(rows["complaints"])
            for row in found:
                assert row["listed"] is complaint_visible(principal, row["region_code"]), (principal, row)
            found = await db.fetch(
                Sql(
                    "SELECT r.id, r.agency_code, r.state, r.forwarded_at, c.region_code, a.region_code AS agency_region,"
                    " "
                )
                + referral_clause(principal)
                + Sql(
                    " AS listed FROM referrals r JOIN complaints c ON c.id = r.complaint_id"
                    " JOIN agencies a ON a.code = r.agency_code WHERE r.id = ANY (:ids::uuid[])",
                    ids=rows["referrals"],
                )
            )
            assert len(found) == len(rows["referrals"])
            for row in found:
                visible = referral_visible(
                    principal,
                    agency_code=row["agency_code"],
                    state=row["state"],
                    forwarded_at=row["forwarded_at"],
                    complaint_region_code=row["region_code"],
                    agency_region_code=row["agency_region"],
                )
                assert row["listed"] is visible, (principal, dict(row))
                answers.add((principal.role, visible))
    assert answers == {(role, seen) for role in Role for seen in (True, False)} - {(Role.ADMIN, False)}


async def test_timeline_check_agrees_with_its_clause(app, rows):
    hidden = set()
    async with pooled(app.state.pool) as db:
        for principal in _principals(rows["agencies"]):
            for confidential in (True, False):
                found = await db.fetch(
                    Sql("SELECT e.type, e.data, ")
                    + timeline_clause(principal, confidential=confidential)
                    + Sql(" AS shown FROM events e WHERE e.referral_id = ANY (:ids::uuid[])", ids=rows["referrals"])
                )
                assert {row["type"] for row in found} >= {"referral.created", "attachment.added"}
                for row in found:
                    shown = timeline_event_visible(
                        principal, event_type=row["type"], data=row["data"], confidential=confidential
                    )
                    assert row["shown"] is shown, (principal, confidential, dict(row))
                    if not shown:
                        hidden.add((row["type"], confidential))
    assert hidden == {("referral.created", True), ("referral.created", False), ("attachment.added", True)}
