"""Learning-rate schedules as functions of the fraction of the run completed, so that a
shortened run still decays exactly like the full one."""

import math
from collections.abc import Callable, Sequence

SCHEDULES = ("constant", "multistep", "cosine", "onecycle", "warmup_cosine")
WARMUP_FLOOR = 1e-3  # upstream DUET's first warm-up epoch runs at lr x 1e-3


def lr_factor(schedule: str, *, milestones: Sequence[float] = (0.5, 0.75), gamma: float = 0.1,
              warmup: float = 0.0) -> Callable[[float], float]:
    """Return ``f(progress) -> multiplier of the base lr`` for progress in [0, 1].

    multistep: multiply by ``gamma`` at each milestone fraction. cosine: linear warm-up over the
    first ``warmup`` fraction, then cosine decay to 0. onecycle: linear ramp from lr/25 to lr over
    ``warmup`` (default 0.3) then linear decay to 0 (the triangular schedule of Smith & Topin).
    warmup_cosine: upstream DUET's ``max(p / warmup, 1e-3)`` up to ``warmup``, then cosine to 0
    (stepped per epoch by the engine when ``TrainConfig.lr_per_epoch``, as upstream).
    """
    if schedule not in SCHEDULES:
        raise ValueError(f"schedule={schedule!r} is unknown; allowed values: {', '.join(SCHEDULES)}")
    if not 0 <= warmup < 1:
        raise ValueError(f"warmup={warmup!r} must be a fraction in [0, 1)")

    def warm(p: float) -> float:
        return min(1.0, (p + 1e-12) / warmup) if warmup > 0 else 1.0

    if schedule == "constant":
        return lambda p: warm(p)
    if schedule == "multistep":
        ms = sorted(milestones)
        return lambda p: warm(p) * gamma ** sum(p >= m for m in ms)
    if schedule == "cosine":
        return lambda p: warm(p) * (0.5 * (1 + math.cos(math.pi * min(1.0, (p - warmup) / (1 - warmup))))
                                    if p >= warmup else 1.0)
    if schedule == "warmup_cosine":
        return lambda p: (max(p / warmup, WARMUP_FLOOR) if warmup > 0 and p <= warmup
                          else 0.5 * (1 + math.cos(math.pi * min(1.0, (p - warmup) / (1 - warmup)))))
    peak = warmup or 0.3
    return lambda p: 1 / 25 + (1 - 1 / 25) * p / peak if p < peak else max(0.0, (1 - p) / (1 - peak))
