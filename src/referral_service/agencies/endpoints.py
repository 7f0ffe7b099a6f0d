from typing import Annotated

from fastapi import APIRouter, Query, status

from referral_service.agencies import service
from referral_service.agencies.schemas import AgencyCreate, AgencyKind, AgencyOut, AgencyUpdate
from referral_service.auth.dependencies import AdminPrincipal, CurrentPrincipal
from referral_service.db.driver import DbDep
from referral_service.openapi_docs import problem_responses
from referral_service.schemas import AgencyCode, RegionCode

router = APIRouter(prefix="/v1/agencies", tags=["agencies"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=AgencyOut,
    responses=problem_responses(401, 403, 409, 422),
)
async def create(body: AgencyCreate, _: AdminPrincipal, db: DbDep) -> AgencyOut:
    """Add an agency (an Inspektorat or an OPD) to the directory. Admin only."""
    return AgencyOut.model_validate(await service.create_agency(db, body))


@router.get("", response_model=list[AgencyOut], responses=problem_responses(401, 422))
async def list_(
    _: CurrentPrincipal,
    db: DbDep,
    region_code: Annotated[
        RegionCode | None, Query(description="A region from `GET /v1/regions` and everything below it, e.g. `64`.")
    ] = None,
    kind: AgencyKind | None = None,
    active: bool | None = None,
) -> list[AgencyOut]:
    """List the agency directory, ordered by code. Any authenticated key may read it."""
    rows = await service.list_agencies(db, region_code=region_code, kind=kind, active=active)
    return [AgencyOut.model_validate(row) for row in rows]


@router.get("/{code}", response_model=AgencyOut, responses=problem_responses(401, 404))
async def get(code: AgencyCode, _: CurrentPrincipal, db: DbDep) -> AgencyOut:
    """Read one agency by its code."""
    return AgencyOut.model_validate(await service.get_agency(db, code))


@router.patch("/{code}", response_model=AgencyOut, responses=problem_responses(401, 403, 404, 422))
async def update(code: AgencyCode, body: AgencyUpdate, _: AdminPrincipal, db: DbDep) -> AgencyOut:
    """Change an agency's name, kind, region, parent, time zone, default deadline or `active` flag. Admin only."""
    return AgencyOut.model_validate(await service.update_agency(db, code, body))
