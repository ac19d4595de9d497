"""Data-logger temperature files (CSV: time, probe, temperature_c). Pure: no Django import.

The whole file is checked first; the service stores every row or none. Problems come back as the result import
reports them: ``{"row", "column", "code", "reason"}`` with the row number a spreadsheet shows (header = row 1).
"""

import csv
import datetime
import io

from lims.messages import Message, gettext_noop

MAX_BYTES = 20 * 1024 * 1024  # the same ceiling as every upload (DATA_UPLOAD_MAX_MEMORY_SIZE)
MAX_ROWS = 100_000  # one probe every minute for 69 days
MAX_REPORTED = 200  # problems listed; the count says how many there were
LOW_C, HIGH_C = -30.0, 100.0  # [lab policy] a compost pile reading outside this is a logger fault
COLUMNS = {
    "time": ("time", "timestamp", "datetime", "時間"),
    "probe": ("probe", "sensor", "探針"),
    "temperature_c": ("temperature_c", "temperature", "temp_c", "°c", "溫度"),
}


NOT_CSV = gettext_noop("not a readable CSV file: %(error)s")


class LoggerFileRejected(Exception):
    def __init__(self, errors, total=None):
        self.errors = errors[:MAX_REPORTED]
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} problem(s); nothing stored")


def _problem(row, column, code, template, /, **params):
    """A problem of the file; its ``reason`` is a :class:`~lims.messages.Message` of ``code``."""
    return {"row": row, "column": column, "code": code, "reason": Message(code, template, **params)}


def parse_time(text, tz):
    text = text.strip().replace("/", "-")
    t = datetime.datetime.fromisoformat(text)
    return t if t.tzinfo else t.replace(tzinfo=tz)


def parse(filename, content, tz):
    """-> [(aware datetime, probe, °C)] or raise :class:`LoggerFileRejected`."""
    if not (filename or "").lower().endswith((".csv", ".txt")):
        raise LoggerFileRejected([_problem(None, "file", "logger_file_type", gettext_noop("use a .csv file"))])
    if len(content) > MAX_BYTES:
        raise LoggerFileRejected(
            [
                _problem(
                    None,
                    "file",
                    "logger_file_too_large",
                    gettext_noop("the file is larger than %(mb)s MB"),
                    mb=MAX_BYTES // (1024 * 1024),
                )
            ]
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoggerFileRejected(
            [_problem(None, "file", "logger_file_encoding", gettext_noop("the file is not UTF-8 text"))]
        )
    if "\x00" in text:
        raise LoggerFileRejected(
            [_problem(None, "file", "logger_file_binary", gettext_noop("the file contains NUL bytes"))]
        )
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader, [])]
    except csv.Error as e:
        raise LoggerFileRejected([_problem(1, "file", "logger_csv_invalid", NOT_CSV, error=str(e))])
    where = {}
    for key, names in COLUMNS.items():
        found = [i for i, h in enumerate(header) if h in names]
        if found:
            where[key] = found[0]
    missing = [k for k in COLUMNS if k not in where]
    if missing:
        raise LoggerFileRejected(
            [
                _problem(
                    1,
                    k,
                    "logger_column_missing",
                    gettext_noop("required column is missing (header: %(header)s)"),
                    header=list(COLUMNS),
                )
                for k in missing
            ]
        )
    try:
        return _rows(reader, where, tz)
    except csv.Error as e:
        raise LoggerFileRejected([_problem(reader.line_num, "file", "logger_csv_invalid", NOT_CSV, error=str(e))])


def _rows(reader, where, tz):
    rows, errors, seen = [], [], {}
    for n, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) + len(errors) >= MAX_ROWS:
            raise LoggerFileRejected(
                [
                    _problem(
                        n,
                        "file",
                        "logger_too_many_rows",
                        gettext_noop("more than %(n)s rows; split the file"),
                        n=MAX_ROWS,
                    )
                ]
            )
        cell = {k: (cells[i].strip() if i < len(cells) else "") for k, i in where.items()}
        bad = False
        try:
            t = parse_time(cell["time"], tz)
        except ValueError:
            errors.append(
                _problem(
                    n,
                    "time",
                    "logger_time_invalid",
                    gettext_noop("'%(value)s' is not a date and time (YYYY-MM-DD HH:MM)"),
                    value=cell["time"],
                )
            )
            bad = True
        probe = cell["probe"]
        if not probe:
            errors.append(_problem(n, "probe", "logger_probe_missing", gettext_noop("the probe is empty")))
            bad = True
        try:
            temp = float(cell["temperature_c"].replace(",", "."))
            if temp != temp or not (LOW_C <= temp <= HIGH_C):
                errors.append(
                    _problem(
                        n,
                        "temperature_c",
                        "logger_temperature_range",
                        gettext_noop("%(value)s °C is outside %(low)s–%(high)s °C"),
                        value=cell["temperature_c"],
                        low=f"{LOW_C:g}",
                        high=f"{HIGH_C:g}",
                    )
                )
                bad = True
        except ValueError:
            errors.append(
                _problem(
                    n,
                    "temperature_c",
                    "logger_temperature_invalid",
                    gettext_noop("'%(value)s' is not a number"),
                    value=cell["temperature_c"],
                )
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
                    gettext_noop("probe %(probe)s at %(time)s is already on row %(row)s"),
                    probe=probe,
                    time=t.isoformat(),
                    row=seen[(t, probe)],
                )
            )
            continue
        seen[(t, probe)] = n
        rows.append((t, probe, temp))
    if errors:
        raise LoggerFileRejected(errors)
    if not rows:
        raise LoggerFileRejected(
            [_problem(None, "file", "logger_file_empty", gettext_noop("the file has no data rows"))]
        )
    return rows
