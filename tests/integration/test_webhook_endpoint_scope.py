"""Who may see a webhook endpoint: the Python check and the SQL clause of auth/scope.py agree, for
every shape of key against every shape of owner (regions above, equal, below, beside and look-alike)."""

from __future__ import annotations

import itertools
import uuid

from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.auth.scope import endpoint_clause, endpoint_visible
from referral_service.db.driver import pooled
from referral_service.db.sql import Sql

# (owner_role, owner_agency_code, owner_region_code) as the table's checks allow them.
OWNERS = [
    ("admin", None, None),
    ("ombudsman", None, None),
    ("ombudsman", None, "64"),
    ("ombudsman", None, "64.72"),
    ("ombudsman", None, "64.7"),
    ("ombudsman", None, "6"),
    ("ombudsman", None, "65"),
    ("ombudsman", None, "64_72"),
    ("agency", "inspektorat-64.72", None),
    ("agency", "inspektorat-64.71", None),
]

PRINCIPALS = [
    Principal(key_id=uuid.uuid4(), role=Role.ADMIN, name="admin"),
    Principal(key_id=uuid.uuid4(), role=Role.OMBUDSMAN, name="national"),
    *(
        Principal(key_id=uuid.uuid4(), role=Role.OMBUDSMAN, name=f"region {code}", region_code=code)
        for code in ("64", "64.72", "64.7", "6", "64_72")
    ),
    Principal(key_id=uuid.uuid4(), role=Role.AGENCY, name="agency", agency_code="inspektorat-64.72"),
]

_OWNERS_TABLE = Sql(
    "SELECT e.i FROM unnest(:roles::text[], :agencies::text[], :regions::text[]) WITH ORDINALITY"
    " AS e(owner_role, owner_agency_code, owner_region_code, i) WHERE "
)


async def test_the_check_and_the_clause_agree(app):
    async with pooled(app.state.pool) as db:
        for principal in PRINCIPALS:
            query = _OWNERS_TABLE.bind(
                roles=[o[0] for o in OWNERS], agencies=[o[1] for o in OWNERS], regions=[o[2] for o in OWNERS]
            ) + endpoint_clause(principal)
            in_sql = {row["i"] - 1 for row in await db.fetch(query)}
            in_python = {
                i
                for i, (role, agency, region) in enumerate(OWNERS)
                if endpoint_visible(principal, owner_role=role, owner_agency_code=agency, owner_region_code=region)
            }
            assert in_sql == in_python, principal.name


def test_the_rule():
    admin, national, region_64, region_6472, *_ = PRINCIPALS
    agency = PRINCIPALS[-1]
    seen = {
        (p.name, o): endpoint_visible(p, owner_role=o[0], owner_agency_code=o[1], owner_region_code=o[2])
        for p, o in itertools.product((admin, national, region_64, region_6472, agency), OWNERS)
    }
    assert all(seen[("admin", o)] for o in OWNERS)
    assert {o for o in OWNERS if seen[("national", o)]} == {o for o in OWNERS if o[0] == "ombudsman"}
    assert {o for o in OWNERS if seen[("region 64", o)]} == {OWNERS[2], OWNERS[3], OWNERS[4]}
    assert {o for o in OWNERS if seen[("region 64.72", o)]} == {OWNERS[3]}
    assert {o for o in OWNERS if seen[("agency", o)]} == {OWNERS[8]}
