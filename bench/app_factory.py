"""An import string for `uvicorn --factory` (used by the scale-out scenario of bench/run.py).

    DATABASE_URL=postgresql://... uvicorn --app-dir bench --factory app_factory:create --workers 2

`referral-service serve` builds its app object in-process, which uvicorn cannot re-import in each
worker; this module gives every worker the same app, bound to DATABASE_URL. Background jobs
(webhook delivery) are NOT run in these processes: run `referral-service worker` beside them.
"""

from __future__ import annotations

import os


def create():
    from referral_service.main import create_app

    return create_app(database_url=os.environ["DATABASE_URL"])
