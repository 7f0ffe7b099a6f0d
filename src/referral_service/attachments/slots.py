"""How many uploads one process receives at once: in all, and per API key (or source address).

An upload holds a connection, a temporary file, a little memory and, while it is stored, database or
S3 work: a process takes at most `per_process` at once, and one key at most `per_key` of those, so a
client cannot take every slot from the others. Counted in memory, per process: a slot is held for as
long as the request is being served, so a count can never be left behind by a crash of another.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from contextlib import contextmanager

from referral_service.errors import TooManyUploads, UploadsBusy

# What a refused upload is told to wait: uploads in progress end, or time out, within seconds.
RETRY_AFTER_SECONDS = 5


class UploadSlots:
    def __init__(self, per_key: int, per_process: int) -> None:
        self.per_key = per_key
        self.per_process = per_process
        self.in_progress = 0
        self._by_holder: dict[Hashable, int] = {}

    @contextmanager
    def hold(self, holder: Hashable) -> Iterator[None]:
        """A slot for one upload by `holder` while the block runs; 429 when the holder has all its
        slots, 503 when the process has all of its own."""
        held = self._by_holder.get(holder, 0)
        if held >= self.per_key:
            raise TooManyUploads(
                f"At most {self.per_key} uploads at once per API key; wait for one to finish.", RETRY_AFTER_SECONDS
            )
        if self.in_progress >= self.per_process:
            raise UploadsBusy(
                "The service is receiving as many uploads as it can; try again shortly.", RETRY_AFTER_SECONDS
            )
        self._by_holder[holder] = held + 1
        self.in_progress += 1
        try:
            yield
        finally:
            self.in_progress -= 1
            left = self._by_holder[holder] - 1
            if left:
                self._by_holder[holder] = left
            else:
                del self._by_holder[holder]
