"""Charts as server-rendered SVG (pygal), readable in greyscale print: shapes, not colours."""

import re
from datetime import date
from typing import Any

import pygal
from markupsafe import Markup, escape
from pygal.style import Style

from qms_gateway.portal.formatting import vi_date, vi_number

_STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1a1a1a",
    foreground_strong="#000000",
    foreground_subtle="#4d4d4d",
    colors=("#000000", "#404040"),
    value_colors=("#000000", "#404040"),
    guide_stroke_color="#c8c8c8",
    major_guide_stroke_color="#c8c8c8",
    guide_stroke_dasharray="1,0",
    major_guide_stroke_dasharray="1,0",
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    legend_font_size=13,
    title_font_size=14,
)
# pygal adds an inline script with its configuration for its tooltips; the page needs none.
_SCRIPT = re.compile(r"<script.*?</script>", re.DOTALL)


def target_progress(target: dict[str, Any], title: str) -> Markup:
    """Measured values of one target over time (solid, with values) against its target (dashed)."""
    progress = sorted(target["progress"], key=lambda entry: entry["as_of"])
    measured = [(date.fromisoformat(entry["as_of"]), entry["value"]) for entry in progress]
    deadline = date.fromisoformat(target["deadline"])
    start = measured[0][0] if measured else date(deadline.year, 1, 1)
    top = max([target["target_value"], *(value for _, value in measured)])
    chart = pygal.DateLine(
        style=_STYLE,
        js=[],
        disable_xml_declaration=True,
        width=640,
        height=280,
        title=title,
        legend_at_bottom=True,
        print_values=True,
        x_value_formatter=vi_date,
        value_formatter=vi_number,
        x_label_rotation=20,
        x_labels=[*(day for day, _ in measured), deadline],
        range=(min([0, *(value for _, value in measured)]), top * 1.15 or 1),
        print_values_position="top",
        no_data_text="Chưa có số liệu",
        include_x_axis=True,
    )
    chart.add("Thực hiện", measured, dots_size=5, stroke_style={"width": 3, "linecap": "round"})
    chart.add(
        "Chỉ tiêu",
        [(start, target["target_value"]), (max(deadline, start), target["target_value"])],
        show_dots=False,
        print_values=False,
        stroke_style={"width": 3, "dasharray": "12,8"},
    )
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))  # noqa: S704 (pygal escapes)


#: A level's shade and its short name in a matrix cell: grey steps and letters, so that print
#: in greyscale (or a reader who does not see colour) still tells the levels apart.
_LEVEL_CELLS = {
    "low": ("#ffffff", "#000000", "T"),
    "medium": ("#d9d9d9", "#000000", "TB"),
    "high": ("#8c8c8c", "#000000", "C"),
    "critical": ("#262626", "#ffffff", "NT"),
}
_CELL = 56
_LEFT, _TOP, _BOTTOM = 64, 30, 54


def level_of(score: int, method: dict[str, Any]) -> str:
    """The level a plan's method gives a score (the service's rule, for drawing)."""
    if score >= method["critical_from"]:
        return "critical"
    if score >= method["high_from"]:
        return "high"
    if score >= method["medium_from"]:
        return "medium"
    return "low"


def risk_matrix(
    title: str, method: dict[str, Any], counts: dict[tuple[int, int], int] | None = None
) -> Markup:
    """The 5×5 likelihood × severity matrix, each cell shaded by its level; with `counts`, the
    number of entries in each cell (a heat map), else each cell's score (the plan's method)."""
    width, height = _LEFT + 5 * _CELL + 8, _TOP + 5 * _CELL + _BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" '
        f'font-weight="600">{escape(title)}</text>',
    ]
    for likelihood in range(1, 6):
        y = _TOP + (5 - likelihood) * _CELL
        parts.append(
            f'<text x="{_LEFT - 8}" y="{y + _CELL / 2 + 5}" text-anchor="end" '
            f'font-size="13">{likelihood}</text>'
        )
        for severity in range(1, 6):
            x = _LEFT + (severity - 1) * _CELL
            score = likelihood * severity
            fill, ink, short = _LEVEL_CELLS[level_of(score, method)]
            shown = str(counts.get((likelihood, severity), 0)) if counts is not None else str(score)
            faint = counts is not None and shown == "0"
            parts.append(
                f'<rect x="{x}" y="{y}" width="{_CELL}" height="{_CELL}" fill="{fill}" '
                f'stroke="#000000" stroke-width="1"/>'
                f'<text x="{x + _CELL / 2}" y="{y + 30}" text-anchor="middle" fill="{ink}" '
                f'font-size="{15 if faint else 20}" font-weight="{400 if faint else 700}">'
                f"{'·' if faint else shown}</text>"
                f'<text x="{x + _CELL / 2}" y="{y + _CELL - 7}" text-anchor="middle" '
                f'fill="{ink}" font-size="10">{short}</text>'
            )
    for severity in range(1, 6):
        middle = _LEFT + (severity - 0.5) * _CELL
        parts.append(
            f'<text x="{middle}" y="{_TOP + 5 * _CELL + 18}" text-anchor="middle" '
            f'font-size="13">{severity}</text>'
        )
    parts += [
        f'<text x="{_LEFT + 2.5 * _CELL}" y="{height - 10}" text-anchor="middle" '
        'font-size="13">Mức độ ảnh hưởng →</text>',
        f'<text x="16" y="{_TOP + 2.5 * _CELL}" text-anchor="middle" font-size="13" '
        f'transform="rotate(-90 16 {_TOP + 2.5 * _CELL})">Khả năng xảy ra →</text>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 (every text is escaped above)
