"""The rules for an agency's own records (inbound settings and log) and the report's rows."""

from __future__ import annotations

import uuid

from referral_service.auth import scope
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role

ADMIN = Principal(uuid.uuid4(), Role.ADMIN, "admin")
NATIONAL = Principal(uuid.uuid4(), Role.OMBUDSMAN, "national")
KALTIM = Principal(uuid.uuid4(), Role.OMBUDSMAN, "kaltim", region_code="64")
SAMARINDA = Principal(uuid.uuid4(), Role.AGENCY, "samarinda", agency_code="inspektorat-64.72")


def test_an_agency_reaches_only_its_own_records() -> None:
    assert scope.reaches_agency(SAMARINDA, "inspektorat-64.72", "64.72")
    assert not scope.reaches_agency(SAMARINDA, "inspektorat-64.74", "64.72")


def test_ombudsman_keys_reach_the_agencies_of_their_region() -> None:
    assert scope.reaches_agency(KALTIM, "inspektorat-64.72", "64.72")
    assert scope.reaches_agency(KALTIM, "inspektorat-64", "64")
    assert not scope.reaches_agency(KALTIM, "inspektorat-63", "63")
    assert not scope.reaches_agency(KALTIM, "x", "640")  # a prefix of the text is not a region below
    assert scope.reaches_agency(NATIONAL, "inspektorat-63", "63")
    assert scope.reaches_agency(ADMIN, "inspektorat-63", "63")


def test_the_report_shows_an_agency_its_own_row_and_a_region_its_agencies() -> None:
    own = scope.agency_figures_clause(SAMARINDA)
    assert own.text == "a.code = :scope_agency" and own.params == {"scope_agency": "inspektorat-64.72"}
    region = scope.agency_figures_clause(KALTIM)
    assert "a.region_code" in region.text and region.params["scope_region"] == "64"
    assert region.params["scope_region_below"] == "64.%"
    assert scope.agency_figures_clause(NATIONAL).text == "true"
    assert scope.agency_figures_clause(ADMIN).text == "true"
