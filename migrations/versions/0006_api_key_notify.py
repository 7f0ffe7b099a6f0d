"""api key notify: every change to api_keys is announced on the channel api_keys_changed

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

API processes cache key lookups and LISTEN on `api_keys_changed` to drop what changed. A trigger,
rather than a NOTIFY in the code that revokes, so that no path can forget it: the API, the demo
seed and an operator's UPDATE in psql all announce themselves. pg_notify inside the trigger runs in
the changing transaction, so the message is delivered when (and only if) it commits. The payload is
the hex of the key's hash (the cache's key); TRUNCATE sends an empty payload, meaning "everything".
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION api_keys_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'TRUNCATE' THEN
                PERFORM pg_notify('api_keys_changed', '');
                RETURN NULL;
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') THEN
                PERFORM pg_notify('api_keys_changed', encode(OLD.key_hash, 'hex'));
            END IF;
            -- A new key, or an update that gives a row another hash: the new hash may sit in a
            -- process's memory as unknown.
            IF TG_OP = 'INSERT' THEN
                PERFORM pg_notify('api_keys_changed', encode(NEW.key_hash, 'hex'));
            ELSIF TG_OP = 'UPDATE' THEN
                IF NEW.key_hash IS DISTINCT FROM OLD.key_hash THEN
                    PERFORM pg_notify('api_keys_changed', encode(NEW.key_hash, 'hex'));
                END IF;
            END IF;
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER api_keys_notify_row_change AFTER INSERT OR UPDATE OR DELETE ON api_keys "
        "FOR EACH ROW EXECUTE FUNCTION api_keys_notify_change()"
    )
    op.execute(
        "CREATE TRIGGER api_keys_notify_truncate AFTER TRUNCATE ON api_keys "
        "FOR EACH STATEMENT EXECUTE FUNCTION api_keys_notify_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER api_keys_notify_truncate ON api_keys")
    op.execute("DROP TRIGGER api_keys_notify_row_change ON api_keys")
    op.execute("DROP FUNCTION api_keys_notify_change()")
