"""Subscriber URLs stay out of log records.

A subscriber URL is chosen by the subscriber and may carry a credential in its query string or
userinfo (`https://user:pass@host/hook?token=...`). httpx logs every request with its full URL.
The CLI holds that logger at WARNING; the filter here covers every other logging setup (an
operator's own logging configuration, a logger turned up to DEBUG while troubleshooting): a URL
in an httpx record is reduced to scheme://host[:port]/path before any handler sees it.
"""

from __future__ import annotations

import logging

import httpx


def redacted_url(url: httpx.URL | str) -> str:
    """scheme://host[:port]/path: what a log line may say about a URL. Never the userinfo, the
    query string or the fragment."""
    try:
        parsed = url if isinstance(url, httpx.URL) else httpx.URL(url)
        # netloc is host[:port] (IPv6 in brackets), without the userinfo; the path stays
        # percent-encoded, as it was sent.
        path = parsed.raw_path.split(b"?", 1)[0]
        return f"{parsed.scheme}://{parsed.netloc.decode('ascii')}{path.decode('ascii')}"
    except Exception:
        return "<unparsable URL>"


class RedactUrls(logging.Filter):
    """Replaces every httpx.URL among a record's arguments with its redacted form."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and any(isinstance(arg, httpx.URL) for arg in record.args):
            record.args = tuple(redacted_url(arg) if isinstance(arg, httpx.URL) else arg for arg in record.args)
        return True


_REDACT_URLS = RedactUrls()


def redact_urls_in_http_client_logs() -> None:
    """Install the filter on httpx's logger (a filter applies to the records of that logger
    itself, which is where httpx logs its requests). Installing it again changes nothing."""
    logging.getLogger("httpx").addFilter(_REDACT_URLS)
