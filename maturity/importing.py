"""Bulk import of instrument results from CSV or XLSX (pandas).

The whole file is validated first; either every row is stored (one `direct`
assay per sample) or none, with a per-row report: row number as the user
sees it in a spreadsheet (header = row 1), column and reason.
"""
import io
import math

import pandas as pd

from . import calculations as calc
from .errors import InputError

COLUMNS = ["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"]
REQUIRED = ["sample_code", "parameter", "value"]


class ImportRejected(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s); nothing imported")
        self.errors = errors  # [{"row", "column", "reason"}]


def read_table(filename, content):
    name = (filename or "").lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            df = pd.read_excel(io.BytesIO(content), dtype=str, engine="openpyxl")
        elif name.endswith(".csv") or name.endswith(".txt"):
            df = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            raise ImportRejected([{"row": None, "column": "file", "reason": "use a .csv or .xlsx file"}])
    except ImportRejected:
        raise
    except Exception as e:  # unreadable file: say so, in one line
        raise ImportRejected([{"row": None, "column": "file", "reason": f"cannot read the file: {e}"}])
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED if c not in df.columns]
    unknown = [c for c in df.columns if c not in COLUMNS]
    problems = [{"row": 1, "column": c, "reason": "required column is missing"} for c in missing]
    problems += [{"row": 1, "column": c, "reason": f"unknown column; expected {', '.join(COLUMNS)}"}
                 for c in unknown]
    if problems:
        raise ImportRejected(problems)
    if df.empty:
        raise ImportRejected([{"row": None, "column": "file", "reason": "the file has no data rows"}])
    return df.fillna("")


def _cell(row, col):
    v = row.get(col, "")
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v).strip()


def parse_rows(df):
    """-> ({sample_code: {"values": {...}, "rows": [row numbers]}}, errors). Pure: no database."""
    errors, by_sample, seen = [], {}, {}
    for i, row in enumerate(df.to_dict("records")):
        n = i + 2
        code, param = _cell(row, "sample_code"), _cell(row, "parameter").lower()
        raw_value, qualifier = _cell(row, "value"), _cell(row, "qualifier")
        if not code:
            errors.append({"row": n, "column": "sample_code", "reason": "is required"})
        if not param:
            errors.append({"row": n, "column": "parameter", "reason": "is required"})
        if raw_value.startswith("<"):
            raw_value, qualifier = raw_value[1:].strip(), qualifier or "<"
        if not raw_value:
            errors.append({"row": n, "column": "value", "reason": "is required"})
        if not (code and param and raw_value):
            continue
        if (code, param) in seen:
            errors.append({"row": n, "column": "parameter",
                           "reason": f"{param} for {code} already given on row {seen[(code, param)]}"})
            continue
        seen[(code, param)] = n
        entry = {"value": raw_value}
        for col in ("unit", "basis", "qualifier", "uncertainty"):
            v = qualifier if col == "qualifier" else _cell(row, col)
            if v != "":
                entry[col] = v
        try:  # validate the row alone with the same rules as direct entry
            calc.compute("direct", {"values": {param: entry}})
        except InputError as e:
            for path, messages in e.errors.items():
                column = path.rsplit(".", 1)[-1] if path.startswith("values.") else path
                column = "parameter" if column == param else column
                for m in messages:
                    errors.append({"row": n, "column": column, "reason": m})
            continue
        slot = by_sample.setdefault(code, {"values": {}, "rows": []})
        slot["values"][param] = entry
        slot["rows"].append(n)
    return by_sample, errors
