"""Request-scoped session: one transaction per request, committed before the response is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession


async def _request_session(request: Request) -> AsyncIterator[AsyncSession]:
    sessionmaker = request.app.state.sessionmaker
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        else:
            # scope="function" below: this runs before the response leaves, so a failed commit
            # becomes an error response instead of a success the client was wrongly told about.
            await session.commit()


SessionDep = Annotated[AsyncSession, Depends(_request_session, scope="function")]
