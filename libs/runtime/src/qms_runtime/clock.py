"""The date as the agencies live it: Vietnam's, whatever the server's clock zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def today() -> date:
    return datetime.now(TIMEZONE).date()
