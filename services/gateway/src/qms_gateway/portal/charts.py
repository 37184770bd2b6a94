"""Charts as server-rendered SVG (pygal), readable in greyscale print: shapes, not colours."""

import re
from datetime import date
from typing import Any

import pygal
from markupsafe import Markup
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
