"""`/docs` (Swagger UI) and `/redoc` without the Internet.

Their JavaScript and CSS come from this service, never from a CDN: the files ship in the
`fastapi-offline` package (Swagger UI 5 and ReDoc 2 bundles, refreshed with its releases), served
here from an allow-list under `/docs-assets/`; the pages are FastAPI's own, pointed at them.
"""

from __future__ import annotations

from importlib.metadata import version as package_version
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.responses import FileResponse, HTMLResponse

from referral_service.errors import NotFound

DOCS_ASSETS = "/docs-assets"
_ASSET_DIR = Path(str(files("fastapi_offline").joinpath("static")))
_ASSETS = {
    "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
    "swagger-ui.css": "text/css; charset=utf-8",
    "redoc.standalone.js": "text/javascript; charset=utf-8",
    "favicon.png": "image/png",
}
# In the asset URLs, so that a browser's cached copy is replaced when the package is upgraded.
_ASSETS_VERSION = package_version("fastapi-offline")


def _asset(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{DOCS_ASSETS}/{name}?v={_ASSETS_VERSION}"


router = APIRouter(include_in_schema=False)


@router.get("/docs", name="swagger_ui")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=_asset(request, "swagger-ui-bundle.js"),
        swagger_css_url=_asset(request, "swagger-ui.css"),
        swagger_favicon_url=_asset(request, "favicon.png"),
        oauth2_redirect_url=None,
        # No online validator badge: it would send the document to a third party.
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get("/redoc", name="redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=_asset(request, "redoc.standalone.js"),
        redoc_favicon_url=_asset(request, "favicon.png"),
        with_google_fonts=False,
    )


@router.get(DOCS_ASSETS + "/{name}", name="docs_asset")
async def docs_asset(name: str) -> FileResponse:
    media_type = _ASSETS.get(name)
    if media_type is None:
        raise NotFound()
    return FileResponse(
        _ASSET_DIR / name, media_type=media_type, headers={"Cache-Control": "public, max-age=604800, immutable"}
    )
