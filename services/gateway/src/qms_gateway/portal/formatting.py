"""Vietnamese display of dates and numbers (Babel)."""

import re
from datetime import date, datetime
from decimal import Decimal

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from qms_runtime.clock import TIMEZONE

# Parsed once: Babel would otherwise look for the locale's files on disk at every call.
LOCALE = Locale.parse("vi_VN")
_PLAIN_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def _as_datetime(value: date | datetime | str) -> date | datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value


def vi_date(value: date | datetime | str | None) -> str:
    """dd/mm/yyyy; a moment is shown on its date in Vietnam."""
    if value is None or value == "":
        return ""
    moment = _as_datetime(value)
    if isinstance(moment, datetime):
        moment = moment.astimezone(TIMEZONE).date()
    return format_date(moment, "dd/MM/yyyy", locale=LOCALE)


def vi_datetime(value: datetime | str | None) -> str:
    """dd/mm/yyyy HH:mm in Vietnam's time."""
    if value is None or value == "":
        return ""
    moment = _as_datetime(value)
    if not isinstance(moment, datetime):
        return vi_date(moment)
    return format_datetime(moment, "dd/MM/yyyy HH:mm", tzinfo=TIMEZONE, locale=LOCALE)


def vi_number(value: float | int | None) -> str:
    """1.234,5: Vietnamese grouping and decimal comma."""
    if value is None:
        return ""
    return format_decimal(value, format="#,##0.##", locale=LOCALE)


def input_number(value: float | int | str | None) -> str:
    """A number as a form field shows it: decimal comma, no grouping, so it reads back the same."""
    if value is None or isinstance(value, str):
        return value or ""
    return format_decimal(value, format="0.########", locale=LOCALE)


def parse_number(text: str) -> float:
    """A number as a person types it: 95,5 or 1.234,5 (Vietnamese), or 95.5; ValueError if none."""
    text = text.strip().replace(" ", "").replace("\u00a0", "")
    if _PLAIN_NUMBER.match(text):
        return float(text)
    try:
        number: Decimal = parse_decimal(text, locale=LOCALE, strict=True)
    except NumberFormatError:
        raise ValueError(text) from None
    return float(number)


def input_date(value: str | None) -> str:
    """A date as a form field shows it (dd/mm/yyyy); text that is no date stays as typed."""
    try:
        return vi_date(value)
    except ValueError:
        return value or ""


def parse_date(text: str) -> date:
    """A date as a person types it, dd/mm/yyyy (or yyyy-mm-dd); ValueError if none."""
    text = text.strip()
    try:
        return datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        return date.fromisoformat(text)
