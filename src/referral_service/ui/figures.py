"""The coordination meeting's page: per-agency figures for a period, as a table, charts and CSV."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import TypeAdapter, ValidationError

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.region_list import Region, official_regions, regions_in
from referral_service.reports import service as reports
from referral_service.reports.service import CSV_MEDIA_TYPE, AgencyFigures, to_csv, window_problem
from referral_service.schemas import RegionCode
from referral_service.ui.charts import Bar, bar_chart
from referral_service.ui.page import DEFAULT_TIMEZONE, Page, open_db, signed_in_page

_REGION = TypeAdapter(RegionCode)

router = APIRouter(prefix="/ui")


def _period(page: Page) -> tuple[date, date, str | None, str | None]:
    """from, to, region and an error message (the same limits as the report endpoint)."""
    params = page.request.query_params
    today = clock.now().astimezone(ZoneInfo(DEFAULT_TIMEZONE)).date()
    principal = page.principal
    # An agency key sees its own row only (reports.service): a region filter means nothing to it.
    region = None if principal.role is Role.AGENCY else params.get("region", principal.region_code or "") or None
    try:
        date_from = date.fromisoformat(params.get("from") or date(today.year, 1, 1).isoformat())
        date_to = date.fromisoformat(params.get("to") or today.isoformat())
    except ValueError:
        return today, today, region, page.t("invalid_period")
    if window_problem(date_from, date_to) is not None:
        return date_from, date_to, region, page.t("invalid_period")
    if region is not None:
        try:
            region = _REGION.validate_python(region)
        except ValidationError:
            return date_from, date_to, region, page.t("invalid_input") + f": {page.t('region')}"
    return date_from, date_to, region, None


async def _figures_rows(
    request: Request, page: Page, date_from: date, date_to: date, region: str | None
) -> list[AgencyFigures]:
    async with open_db(request) as db:
        return await reports.agency_performance(db, page.principal, date_from, date_to, region)


@router.get("/figures")
async def figures(request: Request) -> Response:
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
    if not isinstance(page, Page):
        return page
    date_from, date_to, region, error = _period(page)
    rows = [] if error else await _figures_rows(request, page, date_from, date_to, region)
    query = urlencode(
        {"from": date_from.isoformat(), "to": date_to.isoformat(), **({"region": region} if region else {})}
    )
    charts = _charts(page, rows) if rows else []
    return page.render(
        "figures.html",
        422 if error else 200,
        rows=rows,
        date_from=date_from,
        date_to=date_to,
        region=region or "",
        error=error,
        query=query,
        charts=charts,
        print_view=request.query_params.get("print") == "1",
        region_choices=[] if page.principal.role is Role.AGENCY else region_choices(page.principal),
        own_row_only=page.principal.role is Role.AGENCY,
        generated_at=page.when(clock.now(), DEFAULT_TIMEZONE),
    )


def region_choices(principal: Principal) -> list[tuple[Region, list[Region]]]:
    """The regions a key's figures may be narrowed to, by province: its own region and those below it."""
    scope = principal.region_code
    by_code = official_regions().by_code
    if scope is None:
        provinces = regions_in(None)
        return [(p, regions_in(p.code)) for p in provinces if p.parent_code is None]
    own = by_code.get(scope)
    if own is None:
        return []
    return [(own, regions_in(scope) if own.parent_code is None else [])]


def _charts(page: Page, rows: list[AgencyFigures]) -> list[tuple[str, Markup]]:
    def pct(share: float | None) -> str:
        return "—" if share is None else f"{round(share * 100)} %"

    def days(median: float | None) -> str:
        return "—" if median is None else f"{median:g}"

    return [
        (
            page.t("chart_on_time"),
            bar_chart(
                page.t("chart_on_time"),
                [Bar(r.agency_name, r.share_on_time, pct(r.share_on_time)) for r in rows],
                maximum=1.0,
            ),
        ),
        (
            page.t("chart_median"),
            bar_chart(
                page.t("chart_median"),
                [
                    Bar(r.agency_name, r.median_working_days_to_respond, days(r.median_working_days_to_respond))
                    for r in rows
                ],
            ),
        ),
        (
            page.t("chart_open"),
            bar_chart(
                page.t("chart_open"),
                [Bar(r.agency_name, r.open, f"{r.open} / {r.open_overdue}", secondary=r.open_overdue) for r in rows],
                legend=(page.t("open"), page.t("open_overdue")),
            ),
        ),
    ]


@router.get("/figures.csv")
async def figures_csv(request: Request) -> Response:
    async with open_db(request) as db:
        page = await signed_in_page(request, db)
    if not isinstance(page, Page):
        return page
    date_from, date_to, region, error = _period(page)
    if error:
        return page.error(422, "invalid_input", error)
    rows = await _figures_rows(request, page, date_from, date_to, region)
    filename = f"agency-performance-{date_from.isoformat()}-{date_to.isoformat()}.csv"
    return Response(
        to_csv(rows),
        media_type=CSV_MEDIA_TYPE + "; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
