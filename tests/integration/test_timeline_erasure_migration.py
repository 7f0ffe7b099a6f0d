"""Migration 0014: complaints erased before it (when the API only masked their timeline's free text)
lose that text from the rows too; other complaints' timelines are untouched; downgrading keeps working."""

from __future__ import annotations

import asyncio
import uuid

import asyncpg
from alembic import command

from referral_service.db.migrate import alembic_config
from tests.conftest import _with_database

_COMPLAINT = """
    INSERT INTO complaints (id, reference, channel, received_at, complainant, identity_confidential, subject,
                            description, category, region_code, erased_at)
    VALUES ($1, $2, 'walk_in', now(), $3::jsonb, false, $4::text, $4::text, 'other', '64.72', $5)
"""
_EVENT = """
    INSERT INTO events (complaint_id, sequence, type, data, occurred_at)
    VALUES ($1, $2, $3, $4::jsonb, now() - interval '1 day')
"""


async def test_the_free_text_of_complaints_erased_before_is_replaced(database_url):
    name = f"referral_migration_{uuid.uuid4().hex[:12]}"
    server = await asyncpg.connect(_with_database(database_url, "postgres"))
    await server.execute(f'CREATE DATABASE "{name}"')
    url = _with_database(database_url, name)
    try:
        config = alembic_config(url)
        await asyncio.to_thread(command.upgrade, config, "0013")
        erased, kept = uuid.uuid4(), uuid.uuid4()
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(_COMPLAINT, erased, "64-2026-900001", "null", "[erased]", None)
            await conn.execute(_COMPLAINT, kept, "64-2026-900002", '{"name": "Tetap"}', "Perihal", None)
            for complaint_id in (erased, kept):
                await conn.execute(_EVENT, complaint_id, 1, "referral.note_added", '{"text": "Ibu Sari menelepon"}')
                await conn.execute(
                    _EVENT, complaint_id, 2, "referral.responded", '{"outcome": "action_taken", "summary": "Selesai"}'
                )
                await conn.execute(
                    _EVENT, complaint_id, 3, "referral.closed", '{"resolution": "resolved", "note": null}'
                )
            await conn.execute("UPDATE complaints SET erased_at = now() WHERE id = $1", erased)
        finally:
            await conn.close()

        await asyncio.to_thread(command.upgrade, config, "0014")
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT complaint_id, type, data::text AS data FROM events ORDER BY complaint_id, sequence"
            )
            data = {(row["complaint_id"], row["type"]): row["data"] for row in rows}
        finally:
            await conn.close()
        assert data[(erased, "referral.note_added")] == '{"text": "[erased]"}'
        assert data[(erased, "referral.responded")] == '{"outcome": "action_taken", "summary": "[erased]"}'
        assert data[(erased, "referral.closed")] == '{"note": null, "resolution": "resolved"}'
        assert data[(kept, "referral.note_added")] == '{"text": "Ibu Sari menelepon"}'
        assert data[(kept, "referral.responded")] == '{"outcome": "action_taken", "summary": "Selesai"}'

        await asyncio.to_thread(command.downgrade, config, "0013")
        conn = await asyncpg.connect(url)
        try:
            refused = None
            try:
                await conn.execute("UPDATE events SET data = '{}' WHERE complaint_id = $1", kept)
            except asyncpg.InsufficientPrivilegeError as exc:
                refused = exc
            assert refused is not None  # append-only, as before 0014
        finally:
            await conn.close()
        await asyncio.to_thread(command.upgrade, config, "heads")
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()
