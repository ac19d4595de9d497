"""Bulk import of instrument results from CSV or XLSX (pandas, openpyxl).

The whole file is validated first; either every row is stored (one `direct`
assay per sample) or none, with a per-row report: row number as the user
sees it in a spreadsheet (header = row 1), column and reason.

Limits (bounded memory for any upload): at most ``max_rows`` data rows; a
CSV is read in chunks; an XLSX is opened read-only, and only after the sizes
its zip directory declares have been checked (a small file that inflates to
gigabytes is refused unread). The report lists the first ``MAX_REPORTED``
problems and counts all of them.

Streaming: :func:`stage` reads the file chunk by chunk and validates each chunk
at once with array operations (the rules of direct entry: accepted units, bases,
qualifiers, number ranges), keeping only compact typed columns of the good rows
(:class:`Staged`) and the first ``MAX_REPORTED`` problems. A row those array checks
do not accept is validated alone by the direct-entry computation itself
(``calculations.compute``), whose messages are the report's; so the array checks
only decide which rows are certainly good, never what a problem says.
"""

import heapq
import io
import itertools
import json
import math
import zipfile

import numpy as np
import pandas as pd

from lims.messages import Message, gettext_noop

from . import calculations as calc
from .errors import InputError
from .parameters import METALS, PARAMETERS

COLUMNS = ["sample_code", "parameter", "value", "unit", "basis", "qualifier", "uncertainty"]
REQUIRED = ["sample_code", "parameter", "value"]
MAX_REPORTED = 200
CSV_CHUNK_ROWS = 50_000
CHUNK_ROWS = 20_000  # rows validated at once (setting LIMS_IMPORT_CHUNK_ROWS)


def _error_key(e):
    return (e["row"] or 0, e["column"])


class ImportRejected(Exception):
    """Nothing imported. ``errors``: the problems kept (all of them, or the first ``MAX_REPORTED`` by row
    and column when a streaming import kept only those); ``count``: how many there are in all."""

    def __init__(self, errors, count=None):
        self.count = len(errors) if count is None else count
        super().__init__(f"{self.count} problem(s); nothing imported")
        self.errors = errors  # [{"row", "column", "reason"}]

    @property
    def report(self):
        """The first MAX_REPORTED problems, and how many there are in all."""
        shown = self.errors[:MAX_REPORTED]
        return {"errors": shown, "error_count": self.count, "errors_shown": len(shown)}


class ErrorReport:
    """Problems of a file: counts every one, keeps only the first ``keep`` by (row, column) (in the order
    found among equal keys), so a file with a problem on every row costs no memory."""

    def __init__(self, keep=MAX_REPORTED):
        self.keep, self.count, self._heap, self._seq = keep, 0, [], itertools.count()

    def add(self, error):
        self.count += 1
        item = (-(error["row"] or 0), _Rev(error["column"]), -next(self._seq), error)
        if len(self._heap) < self.keep:
            heapq.heappush(self._heap, item)
        elif item > self._heap[0]:
            heapq.heapreplace(self._heap, item)

    def extend(self, errors):
        for e in errors:
            self.add(e)

    def __bool__(self):
        return self.count > 0

    def errors(self):
        """The kept problems, by row, column and the order found."""
        return [item[3] for item in sorted(self._heap, reverse=True)]

    def rejected(self):
        return ImportRejected(self.errors(), self.count)


class _Rev:
    """A string ordered backwards (the heap keeps the largest keys on top)."""

    __slots__ = ("s",)

    def __init__(self, s):
        self.s = s

    def __lt__(self, other):
        return self.s > other.s

    def __gt__(self, other):
        return self.s < other.s

    def __eq__(self, other):
        return self.s == other.s


def _file_error(reason):
    return ImportRejected([{"row": None, "column": "file", "reason": reason}])


def _too_many_rows(max_rows):
    message = gettext_noop("the file has more than %(rows)s data rows; split it into smaller files")
    return _file_error(Message("too_many_rows", message, rows=max_rows))


# --------------------------------------------------------------------------- reading, chunk by chunk


def _csv_chunks(fileobj, chunk_rows):
    yield from pd.read_csv(fileobj, dtype=str, keep_default_na=False, encoding="utf-8-sig", chunksize=chunk_rows)


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


def _xlsx_chunks(fileobj, chunk_rows, max_uncompressed):
    from openpyxl import load_workbook

    check_xlsx_size(fileobj, max_uncompressed)
    wb = load_workbook(fileobj, read_only=True, data_only=True)
    try:
        rows = wb.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            yield pd.DataFrame()
            return
        columns = [("" if h is None else str(h)) for h in header]
        data = []
        for row in rows:
            if all(v is None for v in row):
                continue
            data.append(["" if v is None else str(v) for v in row[: len(header)]])
            if len(data) >= chunk_rows:
                yield pd.DataFrame(data, columns=columns, dtype=str)
                data = []
        yield pd.DataFrame(data, columns=columns, dtype=str)
    finally:
        wb.close()


def _chunks(filename, fileobj, chunk_rows, max_uncompressed):
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm")):
        return _xlsx_chunks(fileobj, chunk_rows, max_uncompressed)
    if name.endswith(".csv") or name.endswith(".txt"):
        return _csv_chunks(fileobj, chunk_rows)
    raise _file_error(Message("file_type", gettext_noop("use a .csv or .xlsx file")))


def _header_problems(present, columns=None, required=None):
    columns = COLUMNS if columns is None else list(columns)
    missing = [c for c in (REQUIRED if required is None else required) if c not in present]
    unknown = [c for c in present if c not in columns]
    missing_column = Message("required_column", gettext_noop("required column is missing"))
    unknown_column = Message(
        "unknown_column", gettext_noop("unknown column; expected %(columns)s"), columns=tuple(columns)
    )
    problems = [{"row": 1, "column": c, "reason": missing_column} for c in missing]
    problems += [{"row": 1, "column": c, "reason": unknown_column} for c in unknown]
    return problems


def read_chunks(
    filename,
    fileobj,
    *,
    max_rows=200_000,
    max_uncompressed=200_000_000,
    chunk_rows=CHUNK_ROWS,
    columns=None,
    required=None,
):
    """The upload as tables of strings of at most ``chunk_rows`` rows each, columns named in lower case, with
    the row number of the first row of each. ``fileobj``: a binary file object (or bytes). ``columns`` and
    ``required``: the accepted and the required column names (default: the long format, COLUMNS). The limits
    and the header are checked as the chunks come; a file that cannot be read raises ImportRejected when it
    turns out so (a caller storing anything does so only after the last chunk)."""
    if isinstance(fileobj, (bytes, bytearray)):
        fileobj = io.BytesIO(fileobj)
    n, problems, first = 0, None, True
    try:
        for chunk in _chunks(filename, fileobj, chunk_rows, max_uncompressed):
            n += len(chunk)
            if n > max_rows:
                raise _too_many_rows(max_rows)
            if problems is None:
                chunk.columns = [str(c).strip().lower() for c in chunk.columns]
                problems = _header_problems(list(chunk.columns), columns, required)
                present = list(chunk.columns)
            else:
                chunk.columns = present
            if problems or not len(chunk):
                continue  # a bad header: count the rows (the row limit says more), validate nothing
            yield n - len(chunk) + 2, chunk.fillna("")
            first = False
    except ImportRejected:
        raise
    except Exception as e:  # unreadable file: say so, in one line
        raise _file_error(Message("unreadable_file", gettext_noop("cannot read the file: %(error)s"), error=str(e)))
    if problems is None:
        problems = _header_problems([], columns, required)
    if problems:
        raise ImportRejected(problems)
    if first:
        raise _file_error(Message("no_data_rows", gettext_noop("the file has no data rows")))


def read_table(filename, fileobj, *, max_rows=200_000, max_uncompressed=200_000_000, columns=None, required=None):
    """The whole upload as one table of strings (small files: worksheet imports). ``columns`` and ``required``:
    the accepted and the required column names (default: the long format, COLUMNS)."""
    parts = [
        chunk
        for _first, chunk in read_chunks(
            filename,
            fileobj,
            max_rows=max_rows,
            max_uncompressed=max_uncompressed,
            columns=columns,
            required=required,
        )
    ]
    return pd.concat(parts, ignore_index=True).fillna("")


# --------------------------------------------------------------------------- the rules of direct entry, as arrays


class _Rule:
    """What direct entry accepts for one parameter (``calculations._direct_value``), for array checks."""

    def __init__(self, key):
        p = PARAMETERS[key]
        self.key = key
        self.units = calc._accepted_units(key)  # unit -> factor
        is_content = p.basis in ("dry", "as_received")
        self.bases = ("as_received",) if key == "moisture_pct" else ("dry", "as_received") if is_content else ("",)
        self.integer = key in ("chromatogram_score", "solvita_co2", "solvita_nh3")
        if key == "ph":
            self.ge, self.le = 0, 14
        elif key == "chromatogram_score":
            self.ge, self.le = 0, 3
        elif key == "solvita_co2":
            self.ge, self.le = calc.SOLVITA_CO2_RANGE
        elif key == "solvita_nh3":
            self.ge, self.le = calc.SOLVITA_NH3_RANGE
        elif p.unit == "%" and is_content:
            self.ge, self.le = 0, 100
        else:
            self.ge, self.le = 0, None
        self.percent_metal = key in METALS  # given in %, a metal is at most 100
        self.unit = p.unit


_RULES = {key: _Rule(key) for key in PARAMETERS}


def _floats(strings):
    """float() of each string (Python's own parsing, as direct entry), NaN where it fails."""
    try:
        return strings.astype(np.float64)
    except (ValueError, TypeError, OverflowError):
        out = np.empty(len(strings))
        for i, s in enumerate(strings):
            try:
                out[i] = float(s)
            except (ValueError, TypeError, OverflowError):
                out[i] = np.nan
        return out


def _row_errors(n, param, entry):
    """The direct-entry rules for one row alone: -> (list of {"row", "column", "reason"}, Measurement or None)."""
    try:
        outcome = calc.compute("direct", {"values": {param: entry}})
    except InputError as e:
        out = []
        for path, messages in e.errors.items():
            column = path.rsplit(".", 1)[-1] if path.startswith("values.") else path
            column = "parameter" if column == param else column
            out += [{"row": n, "column": column, "reason": m} for m in messages]
        return out, None
    return [], outcome.results[param]


def _entry(value, unit, basis, qualifier, uncertainty):
    entry = {"value": value}
    for col, v in (("unit", unit), ("basis", basis), ("qualifier", qualifier), ("uncertainty", uncertainty)):
        if v != "":
            entry[col] = v
    return entry


_js = json.encoder.encode_basestring  # a JSON string, as json.dumps(ensure_ascii=False) writes it


def _jf(x):
    """A float as json.dumps writes it (refusing what it refuses: NaN and infinities)."""
    if x != x or x in (math.inf, -math.inf):
        raise ValueError(f"Out of range float values are not JSON compliant: {x!r}")
    return float.__repr__(x)


class _Vocab(dict):
    """Strings -> small integers, in first-seen order."""

    def ids(self, strings):
        codes, uniques = pd.factorize(strings)
        ids = np.fromiter((self.setdefault(u, len(self)) for u in uniques), dtype=np.int32, count=len(uniques))
        return ids[codes] if len(uniques) else np.zeros(len(strings), dtype=np.int32)

    def names(self):
        out = np.empty(len(self), dtype=object)
        for s, i in self.items():
            out[i] = s
        return out


class _TextColumn:
    """Strings of the good rows as given, compact: each chunk's strings as one UTF-8 buffer, and per row its
    chunk, offset and length (no Python object per row; a file of 200 000 values keeps a few buffers)."""

    def __init__(self):
        self._bufs, self._chunk, self._offset, self._length = [], [], [], []

    def append(self, strings):
        encoded = [s.encode("utf-8", "surrogatepass") for s in strings]
        lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=len(encoded))
        self._chunk.append(np.full(len(encoded), len(self._bufs), dtype=np.int32))
        self._offset.append(np.cumsum(lengths) - lengths)
        self._length.append(lengths.astype(np.int32))
        self._bufs.append(b"".join(encoded))

    def finish(self, order):
        """Join the chunks' rows, then put them in ``order``."""
        for name, dtype in (("_chunk", np.int32), ("_offset", np.int64), ("_length", np.int32)):
            parts = getattr(self, name)
            joined = np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype)
            setattr(self, name, joined[order])
        return self

    def __len__(self):
        return len(self._length)

    def slice(self, a, b):
        """The strings of rows a to b (exclusive), as a list."""
        bufs = self._bufs
        return [
            bufs[c][o : o + n].decode("utf-8", "surrogatepass")
            for c, o, n in zip(self._chunk[a:b].tolist(), self._offset[a:b].tolist(), self._length[a:b].tolist())
        ]


class Staged:
    """The good rows of a file in compact typed columns (row order), and the problems found.

    Per row: its number, sample (index into ``codes``), parameter (index into ``params``), the value and
    uncertainty as given (for the stored raw data: :class:`_TextColumn`) and as results (canonical unit, floats; NaN =
    no uncertainty), the unit, basis and qualifier as given (indexes into ``texts``), the result's basis and
    whether it was converted (factor or unit other than the canonical one)."""

    _INT = ("row", "code", "param", "unit", "basis", "qualifier", "result_basis")
    _FLOAT = ("value", "uncertainty", "factor")
    _OBJ = ("value_text", "uncertainty_text")

    def __init__(self, keep_errors=MAX_REPORTED):
        self.codes, self.params, self.texts = _Vocab(), _Vocab(), _Vocab()
        self.texts.setdefault("", 0)
        self.errors = ErrorReport(keep_errors)
        self._parts = {k: [] for k in self._INT + self._FLOAT}
        self._texts = {k: _TextColumn() for k in self._OBJ}
        self._seen_keys = np.empty(0, dtype=np.int64)  # (sample, parameter) of every complete row, sorted
        self._seen_rows = np.empty(0, dtype=np.int32)
        self.rows = 0

    # the streaming pass ----------------------------------------------------

    def add_chunk(self, first_row, df):
        m = len(df)
        self.rows += m
        rownum = np.arange(first_row, first_row + m, dtype=np.int32)

        def col(name):
            if name not in df:
                return np.full(m, "", dtype=object)
            return df[name].astype(str).str.strip().to_numpy(dtype=object)

        code, value, qualifier = col("sample_code"), col("value"), col("qualifier")
        param = df["parameter"].astype(str).str.strip().str.lower().to_numpy(dtype=object)
        unit, basis, uncertainty = col("unit"), col("basis"), col("uncertainty")
        less = pd.Series(value, dtype=object).str.startswith("<").to_numpy(dtype=bool)
        if less.any():
            value[less] = pd.Series(value[less], dtype=object).str[1:].str.strip().to_numpy(dtype=object)
            qualifier[less] = np.where(qualifier[less] == "", "<", qualifier[less])
        has_code, has_param, has_value = code != "", param != "", value != ""
        for present, column in ((has_code, "sample_code"), (has_param, "parameter"), (has_value, "value")):
            for n in rownum[~present]:
                self.errors.add({"row": int(n), "column": column, "reason": calc.required()})
        complete = np.flatnonzero(has_code & has_param & has_value)
        if not len(complete):
            return
        code_id = self.codes.ids(code[complete])
        param_id = self.params.ids(param[complete])
        keys = code_id.astype(np.int64) << 32 | param_id.astype(np.int64)
        first_rows = self._duplicates(keys, rownum[complete])
        dup = first_rows >= 0
        codes_, params_ = self.codes.names(), self.params.names()
        for i in np.flatnonzero(dup):
            c, p = codes_[code_id[i]], params_[param_id[i]]
            self.errors.add(
                {
                    "row": int(rownum[complete[i]]),
                    "column": "parameter",
                    "reason": Message(
                        "repeated_row",
                        gettext_noop("%(parameter)s for %(sample)s already given on row %(row)s"),
                        parameter=calc.parameter(p),
                        sample=c,
                        row=int(first_rows[i]),
                    ),
                }
            )
        keep = complete[~dup]
        code_id, param_id = code_id[~dup], param_id[~dup]
        self._validate(
            rownum[keep],
            code_id,
            param_id,
            param[keep],
            value[keep],
            unit[keep],
            basis[keep],
            qualifier[keep],
            uncertainty[keep],
        )

    def _duplicates(self, keys, rows):
        """For each key, the row it was first given on when this row repeats it, else -1; remembers the keys."""
        out = np.full(len(keys), -1, dtype=np.int64)
        uniq, first = np.unique(keys, return_index=True)  # first occurrence in this chunk
        where = np.searchsorted(uniq, keys)
        out[np.arange(len(keys)) != first[where]] = rows[first[where]][np.arange(len(keys)) != first[where]]
        if len(self._seen_keys):  # given in an earlier chunk
            pos = np.clip(np.searchsorted(self._seen_keys, keys), 0, len(self._seen_keys) - 1)
            earlier = self._seen_keys[pos] == keys
            out[earlier] = self._seen_rows[pos[earlier]]
        new = ~np.isin(uniq, self._seen_keys)
        all_keys = np.concatenate([self._seen_keys, uniq[new]])
        all_rows = np.concatenate([self._seen_rows, rows[first[new]]])
        order = np.argsort(all_keys, kind="stable")
        self._seen_keys, self._seen_rows = all_keys[order], all_rows[order]
        return out

    def _validate(self, rows, code_id, param_id, param, value, unit, basis, qualifier, uncertainty):
        m = len(rows)
        val = _floats(value)
        unc = np.full(m, np.nan)
        has_unc = uncertainty != ""
        if has_unc.any():
            unc[has_unc] = _floats(uncertainty[has_unc])
        factor = np.ones(m)
        result_basis = np.empty(m, dtype=object)
        good = np.isfinite(val) & (~has_unc | np.isfinite(unc)) & (~has_unc | (unc >= 0))
        good &= (qualifier == "") | (qualifier == "<")
        known = np.zeros(m, dtype=bool)
        for p in pd.unique(param):
            rule = _RULES.get(p)
            if rule is None:
                continue  # not a parameter: direct entry says so
            at = param == p
            known |= at
            u = np.where(unit[at] == "", rule.unit, unit[at])
            ok = np.isin(u, list(rule.units))
            f = np.array([rule.units.get(x, 1.0) for x in u]) if len(rule.units) > 1 else np.ones(len(u))
            b = np.where(basis[at] == "", rule.bases[0], basis[at])
            ok &= np.isin(b, list(rule.bases))
            v = val[at]
            ge, le = rule.ge, rule.le
            if rule.percent_metal:
                le_ = np.where(u == "%", 100.0, np.inf)
            else:
                le_ = np.inf if le is None else le
            with np.errstate(invalid="ignore"):
                ok &= (v >= ge) & (v <= le_)
                if rule.integer:
                    ok &= np.floor(v) == v
            good[at] &= ok
            factor[at] = f
            result_basis[at] = b
        good &= known
        converted = np.zeros(m, dtype=bool)
        for i in np.flatnonzero(~good):  # direct entry, row by row: its own messages
            p = param[i]
            entry = _entry(value[i], unit[i], basis[i], qualifier[i], uncertainty[i])
            problems, result = _row_errors(int(rows[i]), p, entry)
            if problems:
                self.errors.extend(problems)
                continue
            good[i] = True  # accepted after all: take the computation's figures
            f = _RULES[p].units[entry.get("unit", _RULES[p].unit)]
            val[i], unc[i], factor[i], result_basis[i] = result.value, np.nan, f, result.basis
            if result.uncertainty is not None:
                unc[i] = result.uncertainty
            converted[i] = True
        ok = good & ~converted
        val[ok] *= factor[ok]
        unc[ok] *= factor[ok]
        self._keep(
            good,
            row=rows,
            code=code_id,
            param=param_id,
            unit=self.texts.ids(unit),
            basis=self.texts.ids(basis),
            qualifier=self.texts.ids(qualifier),
            result_basis=self.texts.ids(result_basis.astype(str) if m else result_basis),
            value=val,
            uncertainty=unc,
            factor=factor,
            value_text=value,
            uncertainty_text=uncertainty,
        )

    def _keep(self, mask, **columns):
        for k, v in columns.items():
            if k in self._texts:
                self._texts[k].append(v[mask].tolist())
            else:
                self._parts[k].append(v[mask])

    def finish(self):
        """Join the chunks' columns; order them by sample (first row of each sample first), then row."""
        for k, parts in self._parts.items():
            dtype = np.int32 if k in self._INT else np.float64 if k in self._FLOAT else object
            setattr(self, k, np.concatenate(parts).astype(dtype, copy=False) if parts else np.empty(0, dtype=dtype))
        self._parts = None
        self._seen_keys = self._seen_rows = None
        order = np.argsort(self.code, kind="stable")  # rows of a sample together, in row order
        for k in self._INT + self._FLOAT:
            setattr(self, k, getattr(self, k)[order])
        for k, texts in self._texts.items():
            setattr(self, k, texts.finish(order))
        self._texts = None
        starts = np.flatnonzero(np.r_[True, self.code[1:] != self.code[:-1]]) if len(self.code) else np.empty(0, int)
        ends = np.r_[starts[1:], len(self.code)]
        first = self.row[starts]
        by_first_row = np.argsort(first, kind="stable")  # samples in the order they first appear
        self.starts, self.ends = starts[by_first_row], ends[by_first_row]
        self.code_names, self.param_names, self.text_names = self.codes.names(), self.params.names(), self.texts.names()
        self.codes = self.params = self.texts = None
        self._json = None
        return self

    # the staged samples ----------------------------------------------------

    def __len__(self):
        return len(self.starts)

    @property
    def n_rows(self):
        return len(self.row)

    def sample_codes(self):
        return [self.code_names[self.code[s]] for s in self.starts]

    def sample_rows(self, k):
        """Row numbers of the k-th sample."""
        return self.row[self.starts[k] : self.ends[k]]

    def sample(self, k):
        """The k-th sample: (code, values {parameter: entry as given}, results {parameter: Measurement dict},
        conversions {parameter: {"from_unit", "factor"}}, row numbers)."""
        a, b = self.starts[k], self.ends[k]
        t, names = self.text_names, self.param_names
        values, results, conversions = {}, {}, {}
        for p, unit, basis, qualifier, result_basis, value_text, uncertainty_text, value, u, factor in zip(
            names[self.param[a:b]].tolist(),
            t[self.unit[a:b]].tolist(),
            t[self.basis[a:b]].tolist(),
            t[self.qualifier[a:b]].tolist(),
            t[self.result_basis[a:b]].tolist(),
            self.value_text.slice(a, b),
            self.uncertainty_text.slice(a, b),
            self.value[a:b].tolist(),
            self.uncertainty[a:b].tolist(),
            self.factor[a:b].tolist(),
        ):
            canonical = _RULES[p].unit
            values[p] = _entry(value_text, unit, basis, qualifier, uncertainty_text)
            results[p] = {
                "value": value,
                "unit": canonical,
                "basis": result_basis,
                "qualifier": qualifier,
                "uncertainty": None if u != u else u,
            }
            given = unit or canonical
            if factor != 1.0 or given != canonical:
                conversions[p] = {"from_unit": given, "factor": factor}
        rows = self.row[a:b].tolist()
        return self.code_names[self.code[a]], values, results, conversions, rows

    def sample_json(self, k):
        """The k-th sample as JSON text, equal to ``json.dumps`` of what :meth:`sample` gives (written
        directly: the bulk write's hot loop): (code, data {"values": ...}, results, details {"conversions":
        ...}, first row, last row)."""
        if self._json is None:
            self._json = (
                [_js(x) for x in self.text_names],
                [_js(x) for x in self.param_names],
                [_js(_RULES[p].unit) if p in _RULES else "" for p in self.param_names],
                [_RULES[p].unit if p in _RULES else "" for p in self.param_names],
            )
        tj, pj, cj, canonical = self._json
        a, b = self.starts[k], self.ends[k]
        data, results, conversions = [], [], []
        for p, unit, basis, qualifier, result_basis, value_text, uncertainty_text, value, u, factor in zip(
            self.param[a:b].tolist(),
            self.unit[a:b].tolist(),
            self.basis[a:b].tolist(),
            self.qualifier[a:b].tolist(),
            self.result_basis[a:b].tolist(),
            self.value_text.slice(a, b),
            self.uncertainty_text.slice(a, b),
            self.value[a:b].tolist(),
            self.uncertainty[a:b].tolist(),
            self.factor[a:b].tolist(),
        ):
            entry = '"value": ' + _js(value_text)
            if unit:
                entry += ', "unit": ' + tj[unit]
            if basis:
                entry += ', "basis": ' + tj[basis]
            if qualifier:
                entry += ', "qualifier": ' + tj[qualifier]
            if uncertainty_text != "":
                entry += ', "uncertainty": ' + _js(uncertainty_text)
            data.append(f"{pj[p]}: {{{entry}}}")
            results.append(
                f'{pj[p]}: {{"value": {_jf(value)}, "unit": {cj[p]}, "basis": {tj[result_basis]}, '
                f'"qualifier": {tj[qualifier]}, "uncertainty": {"null" if u != u else _jf(u)}}}'
            )
            if factor != 1.0 or (unit and self.text_names[unit] != canonical[p]):
                conversions.append(f'{pj[p]}: {{"from_unit": {tj[unit] if unit else cj[p]}, "factor": {_jf(factor)}}}')
        return (
            self.code_names[self.code[a]],
            '{"values": {' + ", ".join(data) + "}}",
            "{" + ", ".join(results) + "}",
            '{"conversions": {' + ", ".join(conversions) + "}}",
            int(self.row[a:b].min()),
            int(self.row[a:b].max()),
        )

    def samples_with_zero(self, params):
        """Indexes of the samples with a result of 0 (or less) for one of ``params``."""
        ids = [i for i, p in enumerate(self.param_names) if p in params]
        hit = np.isin(self.param, ids) & (self.value <= 0)
        if not hit.any():
            return set()
        by_position = np.argsort(self.starts)  # samples in the order their rows lie
        sample_of_row = np.repeat(by_position, (self.ends - self.starts)[by_position])
        return set(sample_of_row[hit].tolist())


def stage(
    filename,
    fileobj,
    *,
    max_rows=200_000,
    max_uncompressed=200_000_000,
    chunk_rows=CHUNK_ROWS,
    keep_errors=MAX_REPORTED,
):
    """Read and validate the whole upload, chunk by chunk. -> Staged (its ``errors`` may be non-empty)."""
    staged = Staged(keep_errors)
    for first_row, chunk in read_chunks(
        filename, fileobj, max_rows=max_rows, max_uncompressed=max_uncompressed, chunk_rows=chunk_rows
    ):
        staged.add_chunk(first_row, chunk)
    return staged.finish()


def parse_rows(df):
    """-> ({sample_code: {"values": {...}, "rows": [row numbers]}}, errors). Pure: no database.
    For small tables (worksheet imports); :func:`stage` streams a file of any size."""
    staged = Staged(keep_errors=len(df) * 4 + 10)
    if len(df):
        staged.add_chunk(2, df.fillna(""))
    staged.finish()
    by_sample = {}
    for k in range(len(staged)):
        code, values, _results, _conv, rows = staged.sample(k)
        by_sample[code] = {"values": values, "rows": rows}
    return by_sample, staged.errors.errors()
