"""The web view under /ui/: server-rendered (Jinja2) pages that work without JavaScript.

One router gathers the page groups; what they share (rendering, sign-in state, forms) is in
`ui.page`. The pages call the API's own services with the signed-in key's principal, so they add no
access rule of their own: what a key may see is auth/scope.py's to say, for the pages as for the API
(tests/integration/test_pages_show_what_the_api_shows.py holds every page to what the API shows).
"""

from fastapi import APIRouter

from referral_service.ui import figures, presenting, referral, sign_in, worklists

router = APIRouter(include_in_schema=False)
router.include_router(sign_in.static_router)
for pages in (sign_in, presenting, figures, worklists, referral):
    router.include_router(pages.router)
