"""events: erasure may replace its complaint's free text on the timeline, and nothing else changes

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07

The timeline stays append-only with one exception, narrow enough for the database to check it: the
transaction that erases a complaint (erasure/service.py) names the complaint in the transaction-
local setting `referral.erasing_complaint`, and may then change the `data` of that complaint's
events, only once the complaint is marked erased, only by replacing values with the string
`[erased]` (no key added or removed, no other column touched). Every such erasure is recorded on the
same timeline (`complaint.erased`, with the number of events it redacted). DELETE and TRUNCATE stay
refused.

The free text of complaints erased before this revision (the API served `[erased]` in its place, the
rows still held it) is replaced the same way here.
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None



def upgrade() -> None:
    op.execute(
        """
        CREATE FUNCTION events_refuse_change_but_erasure() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE'
               AND OLD.complaint_id::text = current_setting('referral.erasing_complaint', true)
               AND EXISTS (SELECT 1 FROM complaints c WHERE c.id = OLD.complaint_id AND c.erased_at IS NOT NULL)
               AND (to_jsonb(NEW) - 'data') = (to_jsonb(OLD) - 'data')
               AND NOT EXISTS (
                   SELECT 1
                   FROM jsonb_each(OLD.data) AS o (key, value)
                   FULL JOIN jsonb_each(NEW.data) AS n (key, value) ON n.key = o.key
                   WHERE n.value IS DISTINCT FROM o.value
                     AND (o.key IS NULL OR n.key IS NULL OR o.value = 'null'::jsonb OR n.value <> '"[erased]"'::jsonb)
               )
            THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'events are append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
        END
        $$
        """
    )
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change_but_erasure()"
    )
    # The keys of free text per event type when this revision was written (the registry is
    # erasure/personal_data.py; a migration keeps its own copy).
    op.execute(
        """
        DO $$
        DECLARE
            erased record;
        BEGIN
            FOR erased IN SELECT id, erased_at FROM complaints WHERE erased_at IS NOT NULL LOOP
                PERFORM set_config('referral.erasing_complaint', erased.id::text, true);
                UPDATE events e
                SET data = (
                    SELECT jsonb_object_agg(
                        d.key,
                        CASE WHEN d.key = ANY (f.keys) AND d.value <> 'null'::jsonb THEN '"[erased]"'::jsonb
                             ELSE d.value END
                    )
                    FROM jsonb_each(e.data) AS d
                )
                FROM (
                    VALUES ('referral.note_added', ARRAY['text']),
                           ('referral.responded', ARRAY['summary', 'actions_taken']),
                           ('referral.follow_up_requested', ARRAY['reason']),
                           ('referral.closed', ARRAY['note'])
                ) AS f (type, keys)
                WHERE e.complaint_id = erased.id AND e.type = f.type AND e.occurred_at < erased.erased_at
                  AND EXISTS (
                      SELECT 1 FROM jsonb_each(e.data) AS d
                      WHERE d.key = ANY (f.keys) AND d.value NOT IN ('null'::jsonb, '"[erased]"'::jsonb)
                  );
            END LOOP;
            PERFORM set_config('referral.erasing_complaint', '', true);
        END
        $$
        """
    )


def downgrade() -> None:
    # Text already replaced stays replaced: the older release served `[erased]` in its place anyway.
    op.execute("DROP TRIGGER events_append_only ON events")
    op.execute(
        "CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events "
        "FOR EACH ROW EXECUTE FUNCTION events_refuse_change()"
    )
    op.execute("DROP FUNCTION events_refuse_change_but_erasure()")
