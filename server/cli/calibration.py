"""desk ai calibration [--fit] [--json]: how far each provider's confidence is from what
people did with its drafts, and the calibration in use (``core.tickets.calibration``).

``--fit`` fits again now (each provider with at least 200 reviewed drafts) instead of
waiting for the worker's daily refit; the triager picks the new fit up within five minutes.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from server.cli.common import print_json, run_with_desk

if TYPE_CHECKING:
    from core.tickets.calibration import ProviderCalibration
    from server.wiring import Desk


def _line(p: ProviderCalibration) -> str:
    if p.fitted_at is None:
        return f"{p.provider:12} {p.reviewed:>6} reviewed  not fitted (needs 200 reviewed drafts)"
    return (
        f"{p.provider:12} {p.reviewed:>6} reviewed  fitted {p.fitted_at:%Y-%m-%d %H:%M} UTC on "
        f"{p.n}: calibration error {p.ece_before:.3f} raw -> {p.ece_after:.3f} calibrated"
    )


def run_calibration(args: argparse.Namespace) -> int:
    async def work(desk: Desk) -> int:
        fitted = await desk.calibration.fit() if args.fit else []
        status = await desk.calibration.status()
        if args.json:
            print_json(
                {"fitted": [c.provider for c in fitted], "providers": [p.as_dict() for p in status]}
            )
            return 0
        if args.fit:
            print(f"fitted: {', '.join(c.provider for c in fitted) or 'none (too few drafts)'}")
        print("\n".join(_line(p) for p in status) if status else "no reviewed drafts yet")
        return 0

    return run_with_desk(work)
