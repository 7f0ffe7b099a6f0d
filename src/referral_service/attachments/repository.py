"""The attachments' SQL: rows, their targets, staged inbound uploads, pending blobs and blob chunks.

Statements are written once with named parameters and bound per call (db/sql.py).
"""

from __future__ import annotations

from referral_service.db.sql import Sql

COLUMNS = (
    "id, complaint_id, referral_id, filename, media_type, size, sha256, blob_key, contains_identity, "
    "uploaded_by_key_id, uploaded_by_role, uploaded_by_agency_code, uploaded_at"
)

# --- targets ---------------------------------------------------------------------------------------

COMPLAINT_TARGET = Sql(
    "SELECT id AS complaint_id, region_code, identity_confidential FROM complaints WHERE id = :complaint_id"
)
REFERRAL_TARGET = Sql(
    """
    SELECT r.id AS referral_id, r.complaint_id, r.agency_code, r.state, r.forwarded_at,
           c.region_code, c.identity_confidential, a.region_code AS agency_region_code
    FROM referrals r JOIN complaints c ON c.id = r.complaint_id JOIN agencies a ON a.code = r.agency_code
    WHERE r.id = :referral_id
"""
)

# --- reading ---------------------------------------------------------------------------------------

# One attachment with everything its visibility depends on. For an agency key (`:agency_code`):
# whether a referral of the complaint to that agency was ever forwarded (complaint-level attachments).
GET = Sql(
    f"""
    SELECT {", ".join("t." + c.strip() for c in COLUMNS.split(","))},
           c.region_code, c.identity_confidential,
           r.agency_code, r.state, r.forwarded_at, a.region_code AS agency_region_code,
           EXISTS (SELECT 1 FROM referrals fr WHERE fr.complaint_id = t.complaint_id
                   AND fr.agency_code = :agency_code AND fr.forwarded_at IS NOT NULL) AS forwarded_to_agency
    FROM attachments t
    JOIN complaints c ON c.id = t.complaint_id
    LEFT JOIN referrals r ON r.id = t.referral_id
    LEFT JOIN agencies a ON a.code = r.agency_code
    WHERE t.id = :id
"""
)
LIST_FOR_COMPLAINT = Sql(
    f"SELECT {COLUMNS} FROM attachments WHERE complaint_id = :complaint_id ORDER BY uploaded_at, id"
)
# A referral's attachments and its complaint's own; identity documents of a confidential complainant
# left out when the caller is an agency.
LIST_FOR_REFERRAL = Sql(
    f"""
    SELECT {COLUMNS} FROM attachments
    WHERE complaint_id = :complaint_id AND (referral_id = :referral_id OR referral_id IS NULL)
      AND NOT (:is_agency AND contains_identity AND :identity_confidential)
    ORDER BY uploaded_at, id
"""
)

# --- storing ---------------------------------------------------------------------------------------

INSERT = Sql(
    f"""
    INSERT INTO attachments (id, complaint_id, referral_id, filename, media_type, size, sha256, blob_key,
                             contains_identity, uploaded_by_key_id, uploaded_by_role, uploaded_by_agency_code)
    VALUES (:id, :complaint_id, :referral_id, :filename, :media_type, :size, :sha256, :blob_key,
            :contains_identity, :uploaded_by_key_id, :uploaded_by_role, :uploaded_by_agency_code)
    RETURNING {COLUMNS}
"""
)
BUMP_COMPLAINT = Sql(
    """
    UPDATE complaints SET event_seq = event_seq + 1 WHERE id = :complaint_id
    RETURNING event_seq, region_code, identity_confidential
"""
)
BUMP_REFERRAL = Sql(
    """
    UPDATE referrals r SET event_seq = r.event_seq + 1
    FROM complaints c, agencies a
    WHERE r.id = :referral_id AND c.id = r.complaint_id AND a.code = r.agency_code
    RETURNING r.event_seq, r.agency_code, r.state, r.forwarded_at, c.region_code, c.identity_confidential,
              a.region_code AS agency_region_code
"""
)

# --- staged inbound uploads (attachments/staged.py) ------------------------------------------------

INSERT_STAGED = Sql(
    f"""
    INSERT INTO attachments (id, filename, media_type, size, sha256, blob_key, contains_identity, uploaded_by_key_id,
                             uploaded_by_role, uploaded_by_agency_code, staged_agency_code, inbound_webhook_id)
    VALUES (:id, :filename, :media_type, :size, :sha256, :blob_key, :contains_identity, :uploaded_by_key_id,
            'agency', :agency_code, :agency_code, :webhook_id)
    ON CONFLICT (uploaded_by_agency_code, inbound_webhook_id) WHERE inbound_webhook_id IS NOT NULL DO NOTHING
    RETURNING {COLUMNS}
"""
)
BY_WEBHOOK_ID = Sql(
    f"SELECT {COLUMNS} FROM attachments WHERE uploaded_by_agency_code = :agency_code AND inbound_webhook_id = :webhook_id"
)
CLAIM_STAGED = Sql(
    f"""
    SELECT {COLUMNS} FROM attachments
    WHERE id = ANY (:ids::uuid[]) AND staged_agency_code = :agency_code
    ORDER BY uploaded_at, id
    FOR UPDATE
"""
)
ATTACH_STAGED = Sql(
    f"""
    UPDATE attachments SET complaint_id = :complaint_id, referral_id = :referral_id, staged_agency_code = NULL
    WHERE id = :id
    RETURNING {COLUMNS}
"""
)

# --- pending blobs and erasure (attachments/cleanup.py) --------------------------------------------

ADD_PENDING = Sql("INSERT INTO pending_blobs (blob_key) VALUES (:blob_key)")
REMOVE_PENDING = Sql("DELETE FROM pending_blobs WHERE blob_key = :blob_key")
STALE_PENDING = Sql(
    """
    SELECT blob_key FROM pending_blobs WHERE created_at < now() - make_interval(secs => :older_than_seconds)
    ORDER BY created_at LIMIT :limit
"""
)
EXPIRE_STAGED = Sql(
    """
    WITH expired AS (
        DELETE FROM attachments
        WHERE staged_agency_code IS NOT NULL AND uploaded_at < now() - make_interval(hours => :ttl_hours)
        RETURNING blob_key
    )
    INSERT INTO pending_blobs (blob_key, created_at) SELECT blob_key, '-infinity' FROM expired ON CONFLICT DO NOTHING
"""
)
BLOB_IN_USE = Sql("SELECT EXISTS (SELECT 1 FROM attachments WHERE blob_key = :blob_key)")
DELETE_IDENTITY_DOCUMENTS = Sql(
    "DELETE FROM attachments WHERE complaint_id = :complaint_id AND contains_identity RETURNING blob_key"
)
# Queued as already stale: the next clean-up deletes the objects once the caller has committed.
QUEUE_STALE = Sql(
    "INSERT INTO pending_blobs (blob_key, created_at) SELECT unnest(:blob_keys::text[]), '-infinity'"
    " ON CONFLICT DO NOTHING"
)
DELETE_CHUNKS_OF = Sql("DELETE FROM blob_chunks WHERE blob_key = ANY (:blob_keys::text[])")

# --- blobs stored in PostgreSQL (attachments/storage.py) -------------------------------------------

INSERT_CHUNK = Sql("INSERT INTO blob_chunks (blob_key, seq, data) VALUES (:blob_key, :seq, :data)")
CHUNK = Sql("SELECT data FROM blob_chunks WHERE blob_key = :blob_key AND seq = :seq")
DELETE_CHUNKS = Sql("DELETE FROM blob_chunks WHERE blob_key = :blob_key")
