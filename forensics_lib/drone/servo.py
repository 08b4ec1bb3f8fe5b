"""Payload releases seen in the servo outputs (MAVLink SERVO_OUTPUT_RAW, DataFlash RCOU).

A gripper or drop servo is driven to one PWM value and held there; releasing the load moves
it once to another value (ArduPilot ``AP_Gripper_Servo``: neutral 1500 us at boot, grab
``GRIP_GRAB`` 1900 us, release ``GRIP_RELEASE`` 1100 us, ``libraries/AP_Gripper/
AP_Gripper.cpp``). Motors and control surfaces move all the time. The rule used here, with
its thresholds as keyword arguments of :func:`servo_steps`:

1. a channel's samples that are 0 or 65535 are ignored (output disabled / not reported);
2. a *move* is a change of more than ``jitter_us`` (10 us) between consecutive samples;
3. the channel is *steady* when it moves at most ``max_moves`` (4) times in the whole log:
   it holds a constant value for all but a handful of instants;
4. a *step* is a move of at least ``min_step_us`` (300 us) on a steady channel whose old
   value was held for at least ``min_hold_s`` (2 s) before it and whose new value is held for
   at least ``min_hold_s`` after it (or to the end of the log): a camera-trigger pulse
   (``CAM_DURATION``, 0.1-1 s) is not a step.

The step is timed at the first sample showing the new value; the servo moved after the
previous sample (``before_utc``), so the true instant lies between the two.

When the log holds the autopilot's parameters, ``SERVOn_FUNCTION`` names what the channel
drives (ArduPilot ``libraries/SRV_Channel/SRV_Channel.h`` ``SRV_Channel::Function``). A step
on a motor, control surface, landing gear, camera or mount channel is reported as a servo
event but is not a release (``release_capable`` False); every other function (0 = general
purpose output driven by DO_SET_SERVO or scripts, 1/51-66 RC pass-through, 11 egg drop,
22 sprayer, 27 parachute, 28 gripper, 88 winch, 94-109 scripting, ...) or no parameter at
all leaves it capable.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from forensics_lib.drone.model import SERVO_STEP_COLUMNS, frame_of

__all__ = [
    "FUNCTION_LABELS",
    "NOT_RELEASE_FUNCTIONS",
    "servo_events",
    "servo_functions",
    "servo_steps",
]

UNUSED_PWM = (0, 65535)

# SRV_Channel::Function names for the functions an investigator meets (SRV_Channel.h).
FUNCTION_LABELS: dict[int, str] = {
    0: "general-purpose output (DO_SET_SERVO / scripts)", 1: "RC pass-through",
    2: "flap", 3: "auto flap", 4: "aileron", 6: "mount pan", 7: "mount tilt",
    8: "mount roll", 9: "mount open", 10: "camera trigger", 11: "egg drop",
    12: "mount 2 pan", 13: "mount 2 tilt", 14: "mount 2 roll", 15: "mount 2 open",
    16: "left spoiler", 17: "right spoiler", 19: "elevator", 21: "rudder",
    22: "sprayer pump", 23: "sprayer spinner", 24: "left flaperon", 25: "right flaperon",
    26: "ground steering", 27: "parachute release", 28: "gripper", 29: "landing gear",
    30: "engine run enable", 31: "heli RSC", 32: "heli tail RSC",
    **{33 + k: f"motor {k + 1}" for k in range(8)}, 41: "tilt motors",
    **{51 + k: f"RC input {k + 1} pass-through" for k in range(16)},
    67: "ignition", 69: "starter", 70: "throttle", 73: "left throttle",
    74: "right throttle", 75: "left tilt motor", 76: "right tilt motor", 77: "left elevon",
    78: "right elevon", 79: "left V-tail", 80: "right V-tail", 81: "boost throttle",
    **{82 + k: f"motor {k + 9}" for k in range(4)}, 88: "winch",
    **{94 + k: f"scripting {k + 1}" for k in range(16)}, 110: "airbrake",
    133: "winch clutch", 156: "lift release",
    **{160 + k: f"motor {k + 13}" for k in range(20)},
}  # fmt: skip

# Functions that fly the aircraft or point a camera: a step on them is not a payload release.
NOT_RELEASE_FUNCTIONS: frozenset[int] = frozenset(
    {2, 3, 4, 6, 7, 8, 9, 10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 24, 25, 26, 29, 30,
     31, 32, *range(33, 42), 45, 46, 47, 67, 68, 69, 70, 73, 74, 75, 76, 77, 78, 79, 80, 81,
     *range(82, 88), 90, 91, 92, 93, 110, 124, 125, 126, 127, *range(160, 181)}
)  # fmt: skip

_FUNCTION_PARAM = re.compile(r"^SERVO(\d+)_FUNCTION$")


def servo_functions(params: pd.DataFrame) -> dict[int, int]:
    """Channel -> ``SERVOn_FUNCTION`` (last value in the log) from a params frame."""
    out: dict[int, int] = {}
    if params.empty or "name" not in params:
        return out
    for name, value in zip(params["name"], params["value"], strict=True):
        match = _FUNCTION_PARAM.match(str(name))
        if match and value == value:  # not NaN
            out[int(match.group(1))] = int(value)
    return out


def _runs_of_moves(values: npt.NDArray[np.int64], jitter_us: int) -> npt.NDArray[np.intp]:
    """Indexes k where sample k differs from sample k-1 by more than ``jitter_us``."""
    return np.flatnonzero(np.abs(np.diff(values)) > jitter_us) + 1


def servo_steps(
    time_utc: pd.Series,
    offsets: npt.ArrayLike,
    channels: Mapping[int, npt.ArrayLike],
    message: str,
    functions: Mapping[int, int] | None = None,
    *,
    min_step_us: int = 300,
    jitter_us: int = 10,
    max_moves: int = 4,
    min_hold_s: float = 2.0,
) -> pd.DataFrame:
    """Steps of steady servo channels (see the module docstring for the rule).

    ``time_utc`` and ``offsets`` describe the samples (one per record of ``message``);
    ``channels`` maps a channel number to its PWM values, one per sample.
    """
    functions = functions or {}
    ns = pd.to_datetime(time_utc, utc=True)
    t_ns = ns.astype("int64").to_numpy() if len(ns) else np.zeros(0, dtype=np.int64)
    timed = ns.notna().to_numpy()
    off = np.asarray(offsets, dtype=np.int64)
    rows: list[dict[str, Any]] = []
    hold_ns = min_hold_s * 1e9
    for channel, raw in sorted(channels.items()):
        values = np.asarray(raw, dtype=np.int64)
        keep = timed & ~np.isin(values, UNUSED_PWM)
        if keep.sum() < 3:
            continue
        v, t, o = values[keep], t_ns[keep], off[keep]
        moves = _runs_of_moves(v, jitter_us)
        if not len(moves) or len(moves) > max_moves:
            continue
        bounds = np.concatenate(([0], moves, [len(v)]))
        for j, k in enumerate(moves):
            if abs(int(v[k]) - int(v[k - 1])) < min_step_us:
                continue
            held_before = t[k - 1] - t[bounds[j]]
            after_end = bounds[j + 2] - 1
            held_after = t[after_end] - t[k]
            if held_before < hold_ns or (held_after < hold_ns and after_end != len(v) - 1):
                continue
            function = functions.get(channel)
            rows.append(
                {
                    "time_utc": pd.Timestamp(int(t[k]), tz="UTC"),
                    "before_utc": pd.Timestamp(int(t[k - 1]), tz="UTC"),
                    "channel": channel,
                    "from_pwm": int(v[k - 1]),
                    "to_pwm": int(v[k]),
                    "message": message,
                    "offset": int(o[k]),
                    "function": function,
                    "function_label": None
                    if function is None
                    else FUNCTION_LABELS.get(function, f"function {function}"),
                    "release_capable": function not in NOT_RELEASE_FUNCTIONS,
                }
            )
    if not rows:
        return frame_of(SERVO_STEP_COLUMNS, {})
    frame = pd.DataFrame(rows).sort_values(["time_utc", "channel"], kind="stable")
    return frame_of(SERVO_STEP_COLUMNS, frame)


def servo_events(steps: pd.DataFrame) -> list[dict[str, Any]]:
    """``servo`` event rows (value ``ch<N> <from>-><to>``) for the steps found."""
    rows: list[dict[str, Any]] = []
    for _, s in steps.iterrows():
        what = f" ({s['function_label']})" if isinstance(s["function_label"], str) else ""
        rows.append(
            {
                "time_utc": s["time_utc"],
                "kind": "servo",
                "text": f"servo output {s['channel']}{what} stepped {s['from_pwm']} -> "
                f"{s['to_pwm']} us ({s['message']}; held steady before and after)",
                "value": f"ch{s['channel']} {s['from_pwm']}->{s['to_pwm']}",
                "offset": s["offset"],
            }
        )
    return rows
