"""Plan import: programme documents and spreadsheets -> `ParsedPlan`.

`read_plan` reads a file (.docx, .pdf, .xlsx, .csv, .txt, .md) in this process;
`bot.plan_import.safe` reads a user's file in a worker process within a time and memory
budget; `parse_plan_text` parses plain text; `PlanReadError` carries the Vietnamese line
for a file that cannot be read.
"""

from __future__ import annotations

from bot.plan_import.parser import parse_plan_text
from bot.plan_import.readers import PlanReadError, read_plan

__all__ = ["PlanReadError", "read_plan", "parse_plan_text"]
