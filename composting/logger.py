"""Data-logger temperature files (CSV: time, probe, temperature_c). Pure: no Django import.

The whole file is checked first; the service stores every row or none. Problems come back as the result import
reports them: ``{"row", "column", "code", "reason"}`` with the row number a spreadsheet shows (header = row 1).
"""

import csv
import datetime
import io

MAX_BYTES = 20 * 1024 * 1024  # the same ceiling as every upload (DATA_UPLOAD_MAX_MEMORY_SIZE)
MAX_ROWS = 100_000  # one probe every minute for 69 days
MAX_REPORTED = 200  # problems listed; the count says how many there were
LOW_C, HIGH_C = -30.0, 100.0  # [lab policy] a compost pile reading outside this is a logger fault
COLUMNS = {
    "time": ("time", "timestamp", "datetime", "時間"),
    "probe": ("probe", "sensor", "探針"),
    "temperature_c": ("temperature_c", "temperature", "temp_c", "°c", "溫度"),
}


class LoggerFileRejected(Exception):
    def __init__(self, errors, total=None):
        self.errors = errors[:MAX_REPORTED]
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} problem(s); nothing stored")


def _problem(row, column, code, reason):
    return {"row": row, "column": column, "code": code, "reason": reason}


def parse_time(text, tz):
    text = text.strip().replace("/", "-")
    t = datetime.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=tz)


def parse(filename, content, tz):
    """-> [(aware datetime, probe, °C)] or raise :class:`LoggerFileRejected`."""
    if not (filename or "").lower().endswith((".csv", ".txt")):
        raise LoggerFileRejected([_problem(None, "file", "logger_file_type", "use a .csv file")])
    if len(content) > MAX_BYTES:
        raise LoggerFileRejected(
            [
                _problem(
                    None, "file", "logger_file_too_large", f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB"
                )
            ]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoggerFileRejected([_problem(None, "file", "logger_file_encoding", "the file is not UTF-8 text")])
    if "\x00" in text:
        raise LoggerFileRejected([_problem(None, "file", "logger_file_binary", "the file contains NUL bytes")])
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as e:
        raise LoggerFileRejected([_problem(1, "file", "logger_csv_invalid", f"not a readable CSV file: {e}")])
    where = {}
    for key, names in COLUMNS.items():
        found = [i for i, h in enumerate(header) if h in names]
        if found:
            where[key] = found[0]
    missing = [k for k in COLUMNS if k not in where]
    if missing:
        raise LoggerFileRejected(
            [
                _problem(1, k, "logger_column_missing", f"required column is missing (header: {', '.join(COLUMNS)})")
                for k in missing
            ]
        )
    try:
        return _rows(reader, where, tz)
    except csv.Error as e:
        raise LoggerFileRejected(
            [_problem(reader.line_num, "file", "logger_csv_invalid", f"not a readable CSV file: {e}")]
        )


def _rows(reader, where, tz):
    rows, errors, seen = [], [], {}
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise LoggerFileRejected(
                [_problem(n, "file", "logger_too_many_rows", f"more than {MAX_ROWS} rows; split the file")]
            )
        cell = {k: (cells[i].strip() if i < len(cells) else "") for k, i in where.items()}
        bad = False
        try:
            t = parse_time(cell["time"], tz)
        except ValueError:
            errors.append(
                _problem(
                    n, "time", "logger_time_invalid", f"'{cell['time']}' is not a date and time (YYYY-MM-DD HH:MM)"
                )
            )
            bad = True
        probe = cell["probe"]
        if not probe:
            errors.append(_problem(n, "probe", "logger_probe_missing", "the probe is empty"))
            bad = True
        try:
            temp = float(cell["temperature_c"].replace(",", "."))
            if temp != temp or not (LOW_C <= temp <= HIGH_C):
                errors.append(
                    _problem(
                        n,
                        "temperature_c",
                        "logger_temperature_range",
                        f"{cell['temperature_c']} °C is outside {LOW_C:g}–{HIGH_C:g} °C",
                    )
                )
                bad = True
        except ValueError:
            errors.append(
                _problem(n, "temperature_c", "logger_temperature_invalid", f"'{cell['temperature_c']}' is not a number")
            )
            bad = True
        if bad:
            continue
        if (t, probe) in seen:
            errors.append(
                _problem(
                    n,
                    "time",
                    "logger_duplicate",
                    f"probe {probe} at {t.isoformat()} is already on row {seen[(t, probe)]}",
                )
            )
            continue
        seen[(t, probe)] = n
        rows.append((t, probe, temp))
    if errors:
        raise LoggerFileRejected(errors)
    if not rows:
        raise LoggerFileRejected([_problem(None, "file", "logger_file_empty", "the file has no data rows")])
    return rows
