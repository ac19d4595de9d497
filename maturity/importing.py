"""Bulk import of instrument results from CSV or XLSX (pandas, openpyxl).

The whole file is validated first; either every row is stored (one `direct`
assay per sample) or none, with a per-row report: row number as the user
sees it in a spreadsheet (header = row 1), column and reason.

Limits (bounded memory for any upload): at most ``max_rows`` data rows; a
CSV is read in chunks; an XLSX is opened read-only, and only after the sizes
its zip directory declares have been checked (a small file that inflates to
gigabytes is refused unread). The report lists the first ``MAX_REPORTED``
problems and counts all of them.
"""

import zipfile

import numpy as np
import pandas as pd

from lims.messages import Message, gettext_noop

from . import calculations as calc
from .errors import InputError

COLUMNS = ["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"]
REQUIRED = ["sample_code", "parameter", "value"]
MAX_REPORTED = 200
CSV_CHUNK_ROWS = 50_000


class ImportRejected(Exception):
    def __init__(self, errors):
        super().__init__(f"{len(errors)} problem(s); nothing imported")
        self.errors = errors  # [{"row", "column", "reason"}]

    @property
    def report(self):
        """The first MAX_REPORTED problems, and how many there are in all."""
        return {
            "errors": self.errors[:MAX_REPORTED],
            "error_count": len(self.errors),
            "errors_shown": min(len(self.errors), MAX_REPORTED),
        }


def _file_error(reason):
    return ImportRejected([{"row": None, "column": "file", "reason": reason}])


def _too_many_rows(max_rows):
    message = gettext_noop("the file has more than %(rows)s data rows; split it into smaller files")
    return _file_error(Message("too_many_rows", message, rows=max_rows))


def _read_csv(fileobj, max_rows):
    parts, n = [], 0
    for chunk in pd.read_csv(fileobj, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=CSV_CHUNK_ROWS):
        n += len(chunk)
        if n > max_rows:
            raise _too_many_rows(max_rows)
        parts.append(chunk)
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def check_xlsx_size(fileobj, max_uncompressed):
    """Refuse an XLSX whose members would inflate beyond ``max_uncompressed`` bytes (zip bomb),
    from the zip directory alone."""
    try:
        with zipfile.ZipFile(fileobj) as z:
            total = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        raise _file_error(Message("unreadable_file", gettext_noop("cannot read the file: not an XLSX (zip) file")))
    finally:
        fileobj.seek(0)
    if total > max_uncompressed:
        message = gettext_noop("the XLSX inflates to %(mb)s MB, more than the %(limit)s MB allowed")
        raise _file_error(
            Message("file_too_large", message, mb=total // 1_000_000, limit=max_uncompressed // 1_000_000)
        )


def _read_xlsx(fileobj, max_rows, max_uncompressed):
    from openpyxl import load_workbook

    check_xlsx_size(fileobj, max_uncompressed)
    wb = load_workbook(fileobj, read_only=True, data_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            return pd.DataFrame()
        data = []
        for row in rows:
            if all(v is None for v in row):
                continue
            data.append(["" if v is None else str(v) for v in row[: len(header)]])
            if len(data) > max_rows:
                raise _too_many_rows(max_rows)
    finally:
        wb.close()
    return pd.DataFrame(data, columns=[("" if h is None else str(h)) for h in header], dtype=str)


def read_table(filename, fileobj, *, max_rows=200_000, max_uncompressed=200_000_000, columns=None, required=None):
    """The upload as a table of strings. ``fileobj``: a binary file object (or bytes). ``columns`` and
    ``required``: the accepted and the required column names (default: the long format, COLUMNS)."""
    import io

    if isinstance(fileobj, (bytes, bytearray)):
        fileobj = io.BytesIO(fileobj)
    name = (filename or "").lower()
    try:
        if name.endswith((".xlsx", ".xlsm")):
            df = _read_xlsx(fileobj, max_rows, max_uncompressed)
        elif name.endswith(".csv") or name.endswith(".txt"):
            df = _read_csv(fileobj, max_rows)
        else:
            raise _file_error(Message("file_type", gettext_noop("use a .csv or .xlsx file")))
    except ImportRejected:
        raise
    except Exception as e:  # unreadable file: say so, in one line
        raise _file_error(Message("unreadable_file", gettext_noop("cannot read the file: %(error)s"), error=str(e)))
    df.columns = [str(c).strip().lower() for c in df.columns]
    columns = COLUMNS if columns is None else list(columns)
    missing = [c for c in (REQUIRED if required is None else required) if c not in df.columns]
    unknown = [c for c in df.columns if c not in columns]
    missing_column = Message("required_column", gettext_noop("required column is missing"))
    unknown_column = Message(
        "unknown_column", gettext_noop("unknown column; expected %(columns)s"), columns=tuple(columns)
    )
    problems = [{"row": 1, "column": c, "reason": missing_column} for c in missing]
    problems += [{"row": 1, "column": c, "reason": unknown_column} for c in unknown]
    if problems:
        raise ImportRejected(problems)
    if df.empty:
        raise _file_error(Message("no_data_rows", gettext_noop("the file has no data rows")))
    return df.fillna("")


def _column(df, col):
    """A column as an object array of stripped strings ('' where absent)."""
    if col not in df:
        return np.full(len(df), "", dtype=object)
    return df[col].astype(str).str.strip().to_numpy(dtype=object)


def _row_errors(n, param, entry):
    """The direct-entry rules for one row alone: -> list of {"row", "column", "reason"}."""
    try:
        calc.compute("direct", {"values": {param: entry}})
    except InputError as e:
        out = []
        for path, messages in e.errors.items():
            column = path.rsplit(".", 1)[-1] if path.startswith("values.") else path
            column = "parameter" if column == param else column
            out += [{"row": n, "column": column, "reason": m} for m in messages]
        return out
    return []


def parse_rows(df):
    """-> ({sample_code: {"values": {...}, "rows": [row numbers], "outcome": AssayOutcome}}, errors).
    Pure: no database.

    Each sample's rows are validated together with the rules of direct entry (one computation per
    sample, which is also the assay stored); only when that fails are its rows validated one by one,
    so every problem is still reported against its own row."""
    errors, staged, seen = [], {}, {}
    codes, params = _column(df, "sample_code"), np.char.lower(_column(df, "parameter").astype(str)).astype(object)
    raw_values, qualifiers = _column(df, "value"), _column(df, "qualifier")
    extras = {col: _column(df, col) for col in ("unit", "basis", "uncertainty")}
    for i in range(len(df)):
        n = i + 2
        code, param, raw_value, qualifier = codes[i], params[i], raw_values[i], qualifiers[i]
        if not code:
            errors.append({"row": n, "column": "sample_code", "reason": calc.required()})
        if not param:
            errors.append({"row": n, "column": "parameter", "reason": calc.required()})
        if raw_value.startswith("<"):
            raw_value, qualifier = raw_value[1:].strip(), qualifier or "<"
        if not raw_value:
            errors.append({"row": n, "column": "value", "reason": calc.required()})
        if not (code and param and raw_value):
            continue
        if (code, param) in seen:
            errors.append(
                {
                    "row": n,
                    "column": "parameter",
                    "reason": Message(
                        "repeated_row",
                        gettext_noop("%(parameter)s for %(sample)s already given on row %(row)s"),
                        parameter=calc.parameter(param),
                        sample=code,
                        row=seen[(code, param)],
                    ),
                }
            )
            continue
        seen[(code, param)] = n
        entry = {"value": raw_value}
        for col in ("unit", "basis", "qualifier", "uncertainty"):
            v = qualifier if col == "qualifier" else extras[col][i]
            if v != "":
                entry[col] = v
        staged.setdefault(code, []).append((n, param, entry))
    by_sample = {}
    for code, rows in staged.items():
        values = {param: entry for _n, param, entry in rows}
        try:
            outcome = calc.compute("direct", {"values": values})
        except InputError:
            good = []
            for n, param, entry in rows:
                problems = _row_errors(n, param, entry)
                errors += problems
                if not problems:
                    good.append((n, param, entry))
            if not good:
                continue
            rows, values = good, {param: entry for _n, param, entry in good}
            outcome = calc.compute("direct", {"values": values})
        by_sample[code] = {"values": values, "rows": [n for n, _p, _e in rows], "outcome": outcome}
    return by_sample, errors
