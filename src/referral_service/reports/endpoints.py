from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Query, Response

from referral_service import clock
from referral_service.auth.dependencies import CurrentPrincipal
from referral_service.db.driver import DbDep
from referral_service.errors import UnprocessableEntity
from referral_service.json_encoding import dumps
from referral_service.openapi_docs import problem_responses
from referral_service.reports import service
from referral_service.reports.schemas import AgencyPerformanceReport, AgencyPerformanceRow
from referral_service.reports.service import CSV_MEDIA_TYPE, to_csv
from referral_service.schemas import RegionCode

router = APIRouter(prefix="/v1/reports", tags=["reports"])


def wants_csv(accept: str | None) -> bool:
    """True when the client prefers text/csv over JSON (highest q wins; ties go to the order given)."""
    if not accept:
        return False
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q > 0 and media.lower() in (CSV_MEDIA_TYPE, "application/json", "application/*", "*/*"):
            ranked.append((-q, position, media.lower()))
    return bool(ranked) and min(ranked)[2] == CSV_MEDIA_TYPE


@router.get(
    "/agency-performance",
    response_model=AgencyPerformanceReport,
    responses={
        200: {
            "description": "One row per agency, as JSON, or as CSV with a header row when `Accept: text/csv`.",
            "content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}, "example": ",".join(service.COLUMNS) + "\r\n"}},
        },
        **problem_responses(401, 422),
    },
)
async def agency_performance(
    principal: CurrentPrincipal,
    db: DbDep,
    date_from: Annotated[
        date, Query(alias="from", description="First day of the window (inclusive), agency's local date.")
    ],
    date_to: Annotated[date, Query(alias="to", description="Last day of the window (inclusive), agency's local date.")],
    region_code: Annotated[
        RegionCode | None,
        Query(description="Only agencies in this region (from `GET /v1/regions`) and below, e.g. `64`."),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """Figures for coordination meetings, one row per agency, for the referrals forwarded in the
    window `from`..`to`: answered, closed, still open, open and overdue, the share answered on
    time, the median working days to the first answer, and follow-ups requested. Every agency in
    scope is listed, with zeros when nothing was forwarded to it.

    Ombudsman and admin keys see every agency (a region-limited key, the agencies of its region);
    an agency key sees its own row only. Send `Accept: text/csv` for a spreadsheet."""
    problem = service.window_problem(date_from, date_to)
    if problem is not None:
        raise UnprocessableEntity(problem)
    rows = await service.agency_performance(db, principal, date_from, date_to, region_code)
    if wants_csv(accept):
        filename = f"agency-performance-{date_from.isoformat()}-{date_to.isoformat()}.csv"
        return Response(
            to_csv(rows),
            media_type=CSV_MEDIA_TYPE + "; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"},
        )
    report = AgencyPerformanceReport(
        date_from=date_from,
        date_to=date_to,
        region_code=region_code,
        generated_at=clock.now(),
        rows=[AgencyPerformanceRow.model_validate(row) for row in rows],
    )
    return Response(
        dumps(report.model_dump(mode="json", by_alias=True)), media_type="application/json", headers={"Vary": "Accept"}
    )
