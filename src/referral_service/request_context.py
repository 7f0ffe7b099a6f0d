"""The request being served: its id, readable from anywhere below the middleware that sets it.

`RequestObservability` (observability.py) sets the id for each HTTP request; problem bodies
(errors.py) and log records (logs.py) read it. Outside a request (the worker, the CLI) it is None.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

REQUEST_ID_HEADER = "X-Request-ID"
# What a client may send as its own id: 1-128 characters of [A-Za-z0-9._:-]. Anything else is
# ignored (never echoed, never logged) and the service makes a new one.
REQUEST_ID_PATTERN = r"[A-Za-z0-9._:-]{1,128}"
VALID_REQUEST_ID = re.compile(REQUEST_ID_PATTERN.encode("ascii"))

request_id_var: ContextVar[str | None] = ContextVar("referral_request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()
