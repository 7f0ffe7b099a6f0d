"""Every command that prints ends quietly when its reader has gone (`referral-service state-diagram | head`):
no traceback, the exit status of a process ended by SIGPIPE."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

SIGPIPE_STATUS = 128 + signal.SIGPIPE
COMMANDS = [
    (["state-diagram"], SIGPIPE_STATUS),
    (["openapi", "--output", "-"], SIGPIPE_STATUS),
    (["migrate"], SIGPIPE_STATUS),
    (["load-directory"], SIGPIPE_STATUS),
    # argparse prints help itself and ignores a write that fails.
    (["--help"], 0),
    (["serve", "--help"], 0),
]


@pytest.mark.parametrize(
    ("command", "status"), COMMANDS, ids=lambda value: " ".join(value) if isinstance(value, list) else ""
)
def test_a_closed_stdout_ends_a_command_quietly(command, status, database_url, tmp_path):
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the command writes a byte: every write fails
    try:
        result = subprocess.run(
            [sys.executable, "-m", "referral_service.cli", *command],
            stdout=write_end,
            stderr=subprocess.PIPE,
            env={**os.environ, "DATABASE_URL": database_url, "REFERRAL_DATA_DIR": str(tmp_path / "unused")},
            cwd=tmp_path,
            timeout=120,
        )
    finally:
        os.close(write_end)
    stderr = result.stderr.decode()
    assert "Traceback" not in stderr and "BrokenPipeError" not in stderr, stderr
    assert result.returncode == status, (result.returncode, stderr)
