"""Skip-or-fail policy for tests that need a real service.

On a newcomer's machine a missing service skips the test with a one-line reason; in CI
(``DESK_REQUIRE_SERVICES=1``) it fails the run instead.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPORA = ROOT.parent / "shared" / "corpora"


def require_services() -> bool:
    return os.environ.get("DESK_REQUIRE_SERVICES", "") not in ("", "0", "false")


def unavailable(reason: str) -> None:
    """Skip (or fail, in CI) the current test because a service is missing."""
    if require_services():
        pytest.fail(f"required service unavailable: {reason}", pytrace=False)
    pytest.skip(reason)


def corpora_dir(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        unavailable(f"corpus not found at {path} (clone next to ../shared to run it)")
    return path
