"""The simulated clock's settings: speed and pause. The ticking itself is a Textual timer
(`set_interval(TICK_S)`) on the exercise screen that advances the SimPy environment on the UI
thread: at speed X each tick moves simulated time on by X * TICK_S / 60 minutes, so 1x is real
time and 60x is one simulated minute per real second."""

from __future__ import annotations

SPEEDS = (1, 2, 5, 10, 20, 30, 60)
TICK_S = 0.1
MIN_SPEED, MAX_SPEED = SPEEDS[0], SPEEDS[-1]


def parse_speed(text: str | float) -> float:
    """'10', '10x', 10 -> 10.0; raises ValueError outside 1..60."""
    value = float(str(text).strip().lower().removesuffix("x"))
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise ValueError(f"speed must be between {MIN_SPEED}x and {MAX_SPEED}x")
    return value


class Clock:
    def __init__(self, speed: float = 1.0, paused: bool = True):
        self.speed = parse_speed(speed)
        self.paused = paused

    def minutes_per_tick(self) -> float:
        return self.speed * TICK_S / 60.0

    def toggle(self) -> bool:
        self.paused = not self.paused
        return self.paused

    def faster(self) -> float:
        self.speed = next((s for s in SPEEDS if s > self.speed), MAX_SPEED)
        return self.speed

    def slower(self) -> float:
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed), MIN_SPEED)
        return self.speed

    def label(self) -> str:
        return f"{self.speed:g}"
