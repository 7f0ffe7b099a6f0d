"""Overdue look-ups are served by indexes on the open referrals, never a scan of the history.

- `GET /v1/referrals?overdue=true` (newest first, paginated): the planner may read the forwarded
  rows through the partial index on due_at, or through ix_referrals_state_created (state,
  created_at) which already yields them in the page order; PostgreSQL has no statistics on
  due_at *among forwarded rows*, so it estimates most of them overdue and usually picks the
  latter. Either way it touches only `state = 'forwarded'` rows (the open workload).
- The reminder job's overdue claim (oldest deadline first) uses ix_referrals_forwarded_due_at.

A realistic table, not a forced plan: a few thousand referrals of which most are closed or
answered and a few percent still forwarded, ANALYZEd, and the planner left to choose. All of it
inside one transaction that is rolled back, so no other test sees these rows.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import text

from referral_service import clock
from referral_service.auth.principal import Principal
from referral_service.auth.roles import Role
from referral_service.referrals.repository import list_statement
from referral_service.reminders.repository import FIND_OVERDUE

ROWS = 5000

SEED = """
WITH c AS (
    INSERT INTO complaints (id, reference, channel, received_at, complainant, identity_confidential,
                            subject, description, category, region_code)
    VALUES (:complaint_id, :reference, 'walk_in', now(), '{}'::jsonb, false, 'Explain', 'Explain', 'penundaan_berlarut', '64.72')
    RETURNING id
)
INSERT INTO referrals (id, complaint_id, agency_code, state, forwarded_at, due_at, due_working_days, created_at, updated_at)
SELECT gen_random_uuid(), c.id, 'inspektorat-64.72', s.state, s.forwarded_at, s.forwarded_at + interval '20 days', 14,
       s.forwarded_at - interval '1 hour', now()
FROM c, generate_series(1, :rows) AS i,
     -- Two years of history: old referrals are closed or answered; the ones still forwarded
     -- were forwarded in the last four weeks, so about a quarter of them are overdue.
     LATERAL (SELECT CASE WHEN i % 25 = 0 THEN 'forwarded' WHEN i % 5 = 0 THEN 'responded' ELSE 'closed' END AS state,
                     CASE WHEN i % 25 = 0 THEN now() - make_interval(hours => (i * 7) % 672)
                          ELSE now() - make_interval(days => 28 + i % 700) END AS forwarded_at) AS s
"""


async def _explain(session, stmt) -> str:
    if isinstance(stmt, tuple):  # (sql, args) of a repository statement
        sql, params = stmt
    else:
        compiled = stmt.compile(dialect=session.bind.dialect)
        sql, params = str(compiled), [compiled.params[name] for name in compiled.positiontup]
    raw = await (await session.connection()).get_raw_connection()
    return "\n".join(row[0] for row in await raw.driver_connection.fetch("EXPLAIN " + sql, *params))


async def test_overdue_look_ups_use_indexes_on_forwarded_referrals(app, kaltim):
    principal = Principal(key_id=uuid.uuid4(), role=Role.OMBUDSMAN, name="explain")
    now = clock.now()
    overdue_page = list_statement(principal, limit=21, filters={"overdue": now})
    reminder_claim = FIND_OVERDUE.bind(now=now, limit=100).positional()
    async with app.state.sessionmaker() as session, session.begin():
        await session.execute(
            text(SEED), {"complaint_id": uuid.uuid4(), "reference": f"EXPLAIN-{uuid.uuid4().hex[:8]}", "rows": ROWS}
        )
        await session.execute(text("ANALYZE referrals"))
        await session.execute(text("ANALYZE complaints"))
        list_plan = await _explain(session, overdue_page)
        claim_plan = await _explain(session, reminder_claim)
        await session.rollback()
    assert "Seq Scan on referrals" not in list_plan, list_plan
    assert re.search(
        r"Index Scan (Backward )?using (ix_referrals_forwarded_due_at|ix_referrals_state_created) on referrals",
        list_plan,
    ), list_plan
    if "ix_referrals_state_created" in list_plan:
        assert "Index Cond: ((state)::text = 'forwarded'::text)" in list_plan, list_plan
    assert "Seq Scan on referrals" not in claim_plan, claim_plan
    assert re.search(r"Index Scan (using|on) ix_referrals_forwarded_due_at", claim_plan), claim_plan
