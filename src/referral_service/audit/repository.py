"""The identity-read audit's SQL (audit/identity.py writes it, audit/endpoints.py lists it)."""

from __future__ import annotations

from referral_service.db.sql import Sql

CONFIDENTIAL_AMONG = Sql("SELECT id FROM complaints WHERE id = ANY (:ids::uuid[]) AND identity_confidential")

INSERT = Sql(
    """
    INSERT INTO identity_reads (key_id, role, complaint_id, route, method, access_reason, request_id)
    SELECT :key_id, :role, c, :route, :method, :access_reason, :request_id FROM unnest(:complaint_ids::uuid[]) AS c
"""
)

# Newest first; every filter optional (NULL: not asked for), `:before` the cursor's id.
LIST = Sql(
    """
    SELECT id, read_at, key_id, role, complaint_id, route, method, access_reason, request_id
    FROM identity_reads
    WHERE (:before::bigint IS NULL OR id < :before)
      AND (:complaint_id::uuid IS NULL OR complaint_id = :complaint_id)
      AND (:key_id::uuid IS NULL OR key_id = :key_id)
      AND (:read_from::timestamptz IS NULL OR read_at >= :read_from)
      AND (:read_to::timestamptz IS NULL OR read_at < :read_to)
    ORDER BY id DESC
    LIMIT :limit
"""
)
