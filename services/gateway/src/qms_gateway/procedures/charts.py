"""The procedures' charts as server-rendered SVG, readable in greyscale print (the portal's
charts.py style: shapes, shades and printed values, not colours): the Pareto of nonconforming
outputs' causes (bars, the cumulative share as a line, the 80 % line) and a procedure's dossiers
per month (received, done on time, done late)."""

import math
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from qms_gateway.portal.formatting import vi_number

_FONT = 'font-family="system-ui, sans-serif"'
_GRID = "#c8c8c8"
#: A month's bars: received (white, outlined), done on time (grey), done late (black).
MONTH_BARS = (
    ("received", "Tiếp nhận", "#ffffff"),
    ("done_on_time", "Xong đúng hạn", "#8c8c8c"),
    ("late", "Xong trễ hạn", "#1a1a1a"),
)


def nice_top(value: float, ticks: int = 5) -> tuple[float, float]:
    """An axis's top and step: round steps (1, 2, 5 × 10ⁿ), at most `ticks` of them."""
    if value <= 0:
        return 1.0, 1.0
    raw = value / ticks
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    step = max(step, 1.0)
    return math.ceil(value / step) * step, step


def wrap(text: str, width: int = 14, lines: int = 3) -> list[str]:
    """A label in lines of about `width` characters, at most `lines` (the last cut with …)."""
    found: list[str] = []
    current = ""
    for word in text.split():
        if current and len(current) + 1 + len(word) > width:
            found.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        found.append(current)
    if len(found) > lines:
        found = [*found[: lines - 1], f"{found[lines - 1]}…"]
    return found


def _open(width: float, height: float, title: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'role="img" aria-label="{escape(title)}" {_FONT}><title>{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width:g}" height="{height:g}" fill="#ffffff"/>',
        f'<text x="{width / 2:g}" y="18" text-anchor="middle" font-size="14" '
        f'font-weight="600">{escape(title)}</text>',
    ]


def _left_axis(
    parts: list[str], left: float, right: float, top: float, height: float, maximum: float
) -> float:
    """Grid lines and the left axis's numbers; returns its top value."""
    axis_top, step = nice_top(maximum)
    ticks = round(axis_top / step)
    for index in range(ticks + 1):
        value = index * step
        y = top + height - value / axis_top * height
        parts.append(
            f'<line x1="{left:g}" y1="{y:g}" x2="{right:g}" y2="{y:g}" stroke="{_GRID}"/>'
            f'<text x="{left - 6:g}" y="{y + 4:g}" text-anchor="end" font-size="11">'
            f"{vi_number(value)}</text>"
        )
    parts.append(
        f'<line x1="{left:g}" y1="{top:g}" x2="{left:g}" y2="{top + height:g}" stroke="#000000"/>'
        f'<line x1="{left:g}" y1="{top + height:g}" x2="{right:g}" y2="{top + height:g}" '
        'stroke="#000000"/>'
    )
    return axis_top


def pareto_chart(causes: Sequence[dict[str, Any]], title: str) -> Markup:
    """Bars of outputs per cause, the most frequent first, and the cumulative share (line with
    dots, right axis in %); the 80 % line dashed. `causes`: label, outputs, cumulative_percent."""
    bar_room, left, right_margin = 96, 52, 52
    top, height, bottom = 64, 200, 60
    width = max(left + bar_room * len(causes) + right_margin, 420)
    right = width - right_margin
    total_height = top + height + bottom
    parts = _open(width, total_height, title)
    parts.append(
        f'<rect x="{left:g}" y="30" width="14" height="12" fill="#d9d9d9" stroke="#000000"/>'
        f'<text x="{left + 20:g}" y="40" font-size="12">Số sản phẩm không phù hợp</text>'
        f'<line x1="{left + 230:g}" y1="36" x2="{left + 258:g}" y2="36" stroke="#000000" '
        f'stroke-width="2"/><circle cx="{left + 244:g}" cy="36" r="4" fill="#ffffff" '
        f'stroke="#000000" stroke-width="2"/>'
        f'<text x="{left + 264:g}" y="40" font-size="12">Tỷ lệ tích luỹ (%)</text>'
    )
    if not causes:
        parts.append(
            f'<text x="{width / 2:g}" y="{top + height / 2:g}" text-anchor="middle" '
            'font-size="13">Chưa có sản phẩm không phù hợp trong kỳ</text></svg>'
        )
        return Markup("".join(parts))  # noqa: S704 (every text is escaped above)
    axis_top = _left_axis(
        parts, left, right, top, height, max(cause["outputs"] for cause in causes)
    )
    for percent in (0, 20, 40, 60, 80, 100):
        y = top + height - percent / 100 * height
        parts.append(f'<text x="{right + 6:g}" y="{y + 4:g}" font-size="11">{percent} %</text>')
    parts.append(
        f'<line x1="{right:g}" y1="{top:g}" x2="{right:g}" y2="{top + height:g}" stroke="#000000"/>'
    )
    eighty = top + height - 0.8 * height
    parts.append(
        f'<line x1="{left:g}" y1="{eighty:g}" x2="{right:g}" y2="{eighty:g}" stroke="#000000" '
        'stroke-dasharray="6,4"/>'
    )
    room = (right - left) / len(causes)
    points: list[tuple[float, float, float]] = []
    for index, cause in enumerate(causes):
        bar_width = min(room * 0.6, 64)
        x = left + index * room + (room - bar_width) / 2
        bar_height = cause["outputs"] / axis_top * height
        y = top + height - bar_height
        middle = x + bar_width / 2
        parts.append(
            f'<rect x="{x:g}" y="{y:g}" width="{bar_width:g}" height="{bar_height:g}" '
            'fill="#d9d9d9" stroke="#000000"/>'
        )
        # In the middle of its bar (the cumulative line runs near the bars' tops), or above it.
        inside = bar_height >= 24
        parts.append(
            f'<text x="{middle:g}" y="{y + bar_height / 2 + 5 if inside else y - 4:g}" '
            f'text-anchor="middle" font-size="12" font-weight="700">'
            f"{vi_number(cause['outputs'])}</text>"
        )
        for line, words in enumerate(wrap(str(cause["label"]))):
            parts.append(
                f'<text x="{middle:g}" y="{top + height + 16 + 13 * line:g}" '
                f'text-anchor="middle" font-size="11">{escape(words)}</text>'
            )
        share = float(cause["cumulative_percent"])
        points.append((middle, top + height - share / 100 * height, share))
    path = " ".join(f"{x:g},{y:g}" for x, y, _ in points)
    parts.append(f'<polyline points="{path}" fill="none" stroke="#000000" stroke-width="2"/>')
    for x, y, share in points:
        parts.append(
            f'<circle cx="{x:g}" cy="{y:g}" r="4" fill="#ffffff" stroke="#000000" '
            f'stroke-width="2"/><text x="{x + 6:g}" y="{y - 7:g}" font-size="11">'
            f"{vi_number(share)} %</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text is escaped above)


def monthly_chart(months: Sequence[dict[str, Any]], title: str) -> Markup:
    """Per month, three bars: received, done on time (early included), done late; the number
    received printed above. `months`: label, received, done_on_time, late."""
    group, left, right_margin = 44, 44, 12
    top, height, bottom = 64, 180, 28
    width = max(left + group * len(months) + right_margin, 440)
    right = width - right_margin
    parts = _open(width, top + height + bottom, title)
    x = left
    for _, label, fill in MONTH_BARS:
        parts.append(
            f'<rect x="{x:g}" y="30" width="14" height="12" fill="{fill}" stroke="#000000"/>'
            f'<text x="{x + 20:g}" y="40" font-size="12">{escape(label)}</text>'
        )
        x += 20 + 8 * len(label) + 16
    maximum = max([1, *(month[key] for month in months for key, _, _ in MONTH_BARS)])
    axis_top = _left_axis(parts, left, right, top, height, maximum)
    bar_width = (group - 8) / len(MONTH_BARS)
    for index, month in enumerate(months):
        start = left + index * group + 4
        for offset, (key, _, fill) in enumerate(MONTH_BARS):
            bar_height = month[key] / axis_top * height
            if bar_height:
                parts.append(
                    f'<rect x="{start + offset * bar_width:g}" y="{top + height - bar_height:g}" '
                    f'width="{bar_width:g}" height="{bar_height:g}" fill="{fill}" '
                    'stroke="#000000"/>'
                )
        if month["received"]:
            y = top + height - month["received"] / axis_top * height
            parts.append(
                f'<text x="{start + bar_width / 2:g}" y="{y - 4:g}" text-anchor="middle" '
                f'font-size="10">{vi_number(month["received"])}</text>'
            )
        parts.append(
            f'<text x="{left + index * group + group / 2:g}" y="{top + height + 16:g}" '
            f'text-anchor="middle" font-size="11">{escape(month["label"])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (every text is escaped above)
