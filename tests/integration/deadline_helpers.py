"""Helpers for deadline tests: act on a referral "on" a given wall-clock moment."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from referral_service import clock
from tests.conftest import Api, create_complaint

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Jakarta")


async def new_referral(omb: Api, agency_code: str, region_code: str = "64.72") -> str:
    complaint = await create_complaint(omb, region_code=region_code)
    created = await omb.post(f"/v1/complaints/{complaint['id']}/referrals", json={"agency_code": agency_code})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def act(api: Api, referral_id: str, action: str, body: dict | None, at: datetime) -> dict:
    with clock.frozen_at(at):
        response = await api.post(f"/v1/referrals/{referral_id}/{action}", json=body)
    assert response.status_code == 200, (action, response.text)
    return response.json()


async def forwarded_referral(
    omb: Api, agency_code: str, at: datetime, days: int | None = None, region_code: str = "64.72"
) -> dict:
    referral_id = await new_referral(omb, agency_code, region_code)
    return await act(omb, referral_id, "forward", {"due_working_days": days} if days else {}, at)
