"""The committed OpenAPI document is generated from the app, deterministically."""

import json

from referral_service.config import Settings
from referral_service.main import create_app


def openapi_json() -> str:
    app = create_app(Settings(DATABASE_URL=None, REFERRAL_ADMIN_KEY=None))
    return json.dumps(app.openapi(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"
