"""Vietnamese deadline phrases -> dates. (Stub: replaced by the full parser.)"""

from __future__ import annotations

import re
from datetime import date


def parse_deadline(text: str, today: date) -> date | None:
    m = re.search(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{4}))?", text or "")
    if not m:
        return None
    d, mth, y = int(m[1]), int(m[2]), int(m[3] or today.year)
    try:
        return date(y, mth, d)
    except ValueError:
        return None
