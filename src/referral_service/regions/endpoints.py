import functools
from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Query, Response

from referral_service.auth.dependencies import CurrentPrincipal
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses
from referral_service.region_list import regions_in
from referral_service.regions.schemas import RegionOut
from referral_service.schemas import ProvinceCode

router = APIRouter(prefix="/v1/regions", tags=["regions"])


@functools.lru_cache(maxsize=64)
def _body(parent: str | None) -> bytes:
    # The list only changes with a release: each answer is encoded once per process.
    return dumps([asdict(region) for region in regions_in(parent)])


@router.get("", response_model=list[RegionOut], responses=problem_responses(401, 422))
async def list_(
    _: CurrentPrincipal,
    parent: Annotated[
        ProvinceCode | None, Query(description="A province code, e.g. `64`: list only its regencies and cities.")
    ] = None,
) -> Response:
    """The provinces, regencies and cities a `region_code` may name, with their Kemendagri codes. Any key.

    Without `parent`: every province, each followed by its regencies and cities, in code order. With
    `parent=64`: the regencies and cities of that province (a province code that is not listed is a
    422). Wherever the API takes a `region_code` (complaints, agencies, API keys, list filters, the
    report) it must be on this list; districts and villages are not listed and their codes are refused
    too. A province's code covers its regencies and cities: a key or filter for `64` includes `64.72`.

    The list is that of Kepmendagri 300.2.2-2138/2025 on regional government codes, as published in
    the npm package idn-area-data 4.0.1. Contains information from idn-area-data
    (https://github.com/fityannugroho/idn-area-data), which is made available here under the Open
    Database License (https://opendatacommons.org/licenses/odbl/1-0/).
    """
    return Response(_body(parent), media_type="application/json")
