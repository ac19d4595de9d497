"""The worksheet grid of every assay method, as data (DOMAIN.md §4, §13). Pure: no Django import.

One row per position; the columns are the method's raw-data fields (``maturity.calculations``),
repeated sub-fields laid out as columns (germination: dish 1…3 × sown, germinated, mean root
length). A column's ``key`` is its header in the grid and in an instrument file; ``path(kind)`` is
the raw-data field path of a position of that kind (the path the calculation's errors are keyed by).

What a worksheet's blank position means depends on the method, and some raw fields of the other
positions come from it (``complete``):

- ``germination``: the blank is the distilled-water control. Its dishes are the ``control`` of
  every position that gives none, and its ``protocol`` theirs. Its QC judgement is the control's
  validity (G_control ≥ the lab's limit, §4.5).
- ``organic_carbon_wet_oxidation``, ``total_nitrogen_kjeldahl``: the blank is the reagent blank
  titration. Its ``titrant_ml`` is the ``blank_ml`` of every position that leaves it empty.
- every other method: the blank is measured like a sample and judged against the LOQ.
"""

from __future__ import annotations

from dataclasses import dataclass

from maturity import calculations as calc

DISHES = 3  # dish columns of a germination worksheet (the handbook's triplicate)
DISH_FIELDS = ("sown", "germinated", "mean_root_length_mm")

# the raw fields of the methods whose raw data is one flat record (maturity.calculations)
FLAT_FIELDS = {
    "moisture": ("wet_mass_g", "dry_mass_g"),
    "organic_carbon_wet_oxidation": (
        "sample_mass_g",
        "ferrous_normality",
        "titrant_ml",
        "blank_ml",
        "dichromate_normality",
        "dichromate_ml",
        "correction_factor",
    ),
    "organic_carbon_combustion": ("organic_carbon_pct", "total_carbon_pct"),
    "total_nitrogen_kjeldahl": ("sample_mass_g", "acid_normality", "titrant_ml", "blank_ml"),
    "reducing_sugar": ("reducing_sugar_pct", "total_carbon_pct"),
    "co2_evolution": ("co2_c_mg", "dry_mass_g", "organic_matter_pct", "days"),
    "solvita": ("co2_colour", "nh3_colour"),
    "mineral_nitrogen": ("nh4_n_mg_kg", "no3_n_mg_kg"),
    "dewar": ("ambient_temperature_c", "max_temperature_c"),
}
INTEGER_FIELDS = {"co2_colour", "nh3_colour"}
REAGENT_BLANK_METHODS = ("organic_carbon_wet_oxidation", "total_nitrogen_kjeldahl")
CHROMATOGRAM_FIELDS = ("protocol", "center", "middle_band", "edge")


@dataclass(frozen=True)
class Column:
    key: str  # header of the grid and of an instrument file's column
    field: str  # the raw-data field (its label on the entry form)
    kind: str = "number"  # number | integer | choice | bool | text | direct
    choices: tuple = ()
    dish: int | None = None  # germination: dish number, 1-based
    prefix: str = ""  # "values." (direct), "observations." (observation)

    def path(self, position_kind: str = "sample") -> str:
        """The raw-data path of this cell in a position of ``position_kind``."""
        if self.dish is not None:
            group = "control" if position_kind == "blank" else "sample"
            return f"{group}.{self.dish - 1}.{self.field}"
        return self.prefix + self.field


def _observation_columns():
    out = []
    for key, spec in calc.OBSERVATIONS.items():
        kind = {"enum": "choice", "bool": "bool", "text": "text", "integer": "integer"}.get(spec.kind, "number")
        out.append(Column(key=key, field=key, kind=kind, choices=spec.choices, prefix="observations."))
    return out


def columns(method: str, parameters=()) -> list[Column]:
    """The grid's columns of ``method``; ``direct`` has one column per parameter in ``parameters``."""
    if method in FLAT_FIELDS:
        return [Column(f, f, "integer" if f in INTEGER_FIELDS else "number") for f in FLAT_FIELDS[method]]
    if method == "germination":
        cols = [Column("protocol", "protocol", "choice", calc.GERMINATION_PROTOCOLS)]
        for d in range(1, DISHES + 1):
            for f in DISH_FIELDS:
                cols.append(Column(f"dish{d}.{f}", f, "integer" if f != "mean_root_length_mm" else "number", dish=d))
        return cols
    if method == "chromatogram":
        return [Column("protocol", "protocol", "choice", calc.CHROMATOGRAM_PROTOCOLS)] + [
            Column(z, z, "choice", codes) for z, codes in calc.CHROMATOGRAM_ZONES.items()
        ]
    if method == "observation":
        return _observation_columns()
    if method == "direct":
        return [Column(p, p, "direct", prefix="values.") for p in parameters]
    return []


def supported(method: str) -> bool:
    """Whether the grid and a worksheet's instrument file cover ``method`` (every method of
    ``maturity.calculations.METHODS``; a chromatogram's photo is attached per sample, not here)."""
    return method in calc.METHODS


# --------------------------------------------------------------------------- cells -> raw data


def _set(out: dict, path: str, value) -> None:
    parts = path.split(".")
    node = out
    for i, part in enumerate(parts[:-1]):
        nxt_is_index = parts[i + 1].isdigit()
        if isinstance(node, list):
            idx = int(part)
            while len(node) <= idx:
                node.append({} if not nxt_is_index else [])
            node = node[idx]
        else:
            node = node.setdefault(part, [] if nxt_is_index else {})
    last = parts[-1]
    node[last] = value


def parse_direct(text: str) -> dict:
    """A direct cell as typed: ``1.5``, ``<0.02`` (below detection) -> {"value", "qualifier"?}."""
    text = text.strip()
    entry = {}
    if text.startswith("<"):
        entry["qualifier"] = "<"
        text = text[1:].strip()
    entry["value"] = text.replace(",", ".") if _numeric(text.replace(",", ".")) else text
    return entry


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def cells_to_data(method: str, position_kind: str, cells: dict) -> dict | None:
    """Raw data of one position from its cells ({column key: text}); empty cells are left out
    (absent optional fields), an all-empty dish is dropped. None when every cell is empty."""
    cols = {c.key: c for c in columns(method, [k for k in cells])}
    out: dict = {}
    for key, raw in cells.items():
        text = "" if raw is None else str(raw).strip()
        if text == "":
            continue
        col = cols.get(key)
        if col is None:
            out.setdefault("__unknown__", []).append(key)
            continue
        if col.kind == "direct":  # a parameter key is one path segment, whatever it holds
            out.setdefault("values", {})[key] = parse_direct(text)
        elif col.kind == "bool":
            low = text.lower()
            _set(out, col.path(position_kind), {"true": True, "false": False}.get(low, text))
        else:
            _set(out, col.path(position_kind), text)
    for group in ("control", "sample"):
        if isinstance(out.get(group), list):
            out[group] = [d for d in out[group] if d]
    if method == "chromatogram" and out.get("protocol") == "livestock_naoh":
        out.pop("center", None)
        out.pop("middle_band", None)
    return out or None


def data_to_cells(method: str, position_kind: str, data: dict | None, cols: list[Column]) -> dict:
    """{column key: text} of stored raw data (the grid shown again)."""
    out = {}
    data = data or {}
    for col in cols:
        node = data
        for part in col.path(position_kind).split("."):
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                node = None
                break
        if col.kind == "direct" and isinstance(node, dict):
            node = f"{node.get('qualifier') or ''}{node.get('value', '')}"
        if isinstance(node, bool):
            node = "true" if node else "false"
        out[col.key] = "" if node is None or isinstance(node, (dict, list)) else str(node)
    return out


def direct_parameters(entries) -> list[str]:
    """The parameters of direct raw data in ``entries`` (an iterable of raw data), first seen first."""
    seen = []
    for data in entries:
        for key in ((data or {}).get("values") or {}) if isinstance(data, dict) else ():
            if key not in seen:
                seen.append(key)
    return seen


# --------------------------------------------------------------------------- what the blank supplies


def complete(method: str, position_kind: str, data, blank):
    """(raw data for ``compute``, fields taken from the blank) of a position.

    ``blank``: the raw data of the worksheet's blank position (or None). Fields the position gives
    itself win; only dicts are completed."""
    if not isinstance(data, dict) or not isinstance(blank, dict) or position_kind == "blank":
        return data, []
    taken = []
    out = dict(data)
    if method == "germination":
        for key in ("control", "protocol"):
            if key not in out and blank.get(key) is not None:
                out[key] = blank[key]
                taken.append(key)
    elif method in REAGENT_BLANK_METHODS:
        if out.get("blank_ml") in (None, "") and blank.get("titrant_ml") not in (None, ""):
            out["blank_ml"] = blank["titrant_ml"]
            taken.append("blank_ml")
    return out, taken


def blank_role(method: str) -> str:
    """``control`` (germination's water control), ``reagent_blank`` (titration blank) or ``measured``."""
    if method == "germination":
        return "control"
    if method in REAGENT_BLANK_METHODS:
        return "reagent_blank"
    return "measured"


def blank_as_assay(method: str, data):
    """The raw data a blank is checked with: the water control computed against itself, or None for a
    reagent blank (checked as a titration volume, see ``reagent_blank_errors``)."""
    if method == "germination" and isinstance(data, dict):
        out = {k: v for k, v in data.items() if k != "sample"}
        out["sample"] = data.get("control")
        return out
    if method in REAGENT_BLANK_METHODS:
        return None
    return data


def reagent_blank_errors(data) -> dict:
    """Error codes of a reagent blank's raw data: a titration volume ≥ 0 is required."""
    if not isinstance(data, dict):
        return {"titrant_ml": ["required"]}
    raw = data.get("titrant_ml")
    if raw in (None, ""):
        return {"titrant_ml": ["required"]}
    if isinstance(raw, bool):
        return {"titrant_ml": ["not_a_number"]}
    try:
        value = float(raw)
    except (TypeError, ValueError):
        return {"titrant_ml": ["not_a_number"]}
    if value != value or value in (float("inf"), float("-inf")):
        return {"titrant_ml": ["not_a_number"]}
    if value < 0:
        return {"titrant_ml": ["negative"]}
    return {}
