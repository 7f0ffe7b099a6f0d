"""Pushes whose signature does not verify: which sender they came from, and how many are kept.

An agency sees its failed pushes (`GET /v1/agencies/{code}/inbound-events`) to find out why its own
system's pushes fail; these rows must not become a way for strangers to fill the table or to push
the agency's own failures out of view.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from referral_service.db.driver import Db
from referral_service.inbound import repository

logger = logging.getLogger("referral_service.inbound")

# Pushes whose signature does not verify can come from anyone. They are kept so that an agency
# can see why its own pushes fail (the reason, when, and from which address), never with a body.
# What a misconfigured sender needs is its *latest* failures, so each limit keeps the newest rows
# and drops the oldest, and no stranger can use up the agency's share:
# - per source (an IPv4 address, or an IPv6 /64: what one sender controls), the latest
#   UNSIGNED_KEPT_PER_SOURCE: a flood from one address only cycles through its own rows;
# - per bucket, the latest UNSIGNED_KEPT_PER_BUCKET: one bucket for the sources this agency has
#   sent a verified push from (its own systems), one for every other source. Strangers rotating
#   through many addresses cycle through the second bucket only, so the agency's own failures
#   stay in view; and however many sources there are, an agency keeps at most twice the bucket size.
UNSIGNED_KEPT_PER_SOURCE = 25
UNSIGNED_KEPT_PER_BUCKET = 100


@dataclass(frozen=True, slots=True)
class Source:
    address: str | None
    network: str

    @classmethod
    def of(cls, address: str | None) -> Source:
        if not address:
            return cls(None, "unknown")  # the server did not say: all such pushes are one source
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            # Not an IP address (a Unix socket, a test transport): one source per distinct value.
            return cls(address[:64], address[:64])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if isinstance(ip, ipaddress.IPv6Address):
            return cls(str(ip), str(ipaddress.IPv6Network((ip, 64), strict=False)))
        return cls(str(ip), str(ip))


async def keep_failed_push(db: Db, agency_code: str, source: Source, reason: str, response_body: bytes) -> None:
    """Keep a push to `agency_code` whose signature did not verify (the reason and the source, never the
    body: it could be anyone's), then trim the agency's failed pushes to the limits above."""
    known = await repository.is_known_source(db, agency_code, source.network)
    await repository.keep_failed(
        db,
        agency_code,
        reason=reason,
        response_body=response_body,
        source_address=source.address,
        network=source.network,
        known=known,
    )
    await _drop_oldest_unsigned(db, agency_code, source, known)


async def _drop_oldest_unsigned(db: Db, agency_code: str, source: Source, known: bool) -> None:
    """Trim this agency's failed-signature rows to the limits above, right after inserting one.

    One trimmer per agency at a time (a transaction-scoped advisory lock), so two never delete
    the same rows in different orders. A push that finds the lock taken skips trimming instead
    of waiting: under a flood, waiting would pin a database connection per request. Whatever
    it leaves over the limit (its own row, committed after the other's trim looked) the next
    failed push of this agency removes, so the excess never exceeds the pushes in flight.
    """
    if not await repository.try_trim_lock(db, agency_code):
        return
    dropped = await repository.drop_older_from_source(db, agency_code, source.network, UNSIGNED_KEPT_PER_SOURCE)
    dropped += await repository.drop_older_in_bucket(db, agency_code, known, UNSIGNED_KEPT_PER_BUCKET)
    if dropped:
        logger.info(
            "inbound push for %s from %s refused; dropped the oldest %d failed pushes kept for it",
            agency_code,
            source.address,
            dropped,
        )
