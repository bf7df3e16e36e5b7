"""Plan import: programme documents and spreadsheets -> `ParsedPlan`.

`read_plan` reads a file (.docx, .xlsx, .csv, .txt, .md); `parse_plan_text` parses plain
text; `PlanReadError` carries the Vietnamese message for a file that cannot be read.
"""

from __future__ import annotations

from bot.plan_import.readers import PlanReadError, read_plan

__all__ = ["PlanReadError", "read_plan", "parse_plan_text"]


def __getattr__(name: str):
    # the text parser is imported on first use, so this package imports without it
    if name == "parse_plan_text":
        from bot.plan_import.parser import parse_plan_text

        return parse_plan_text
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
