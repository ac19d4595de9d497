"""The entry form of each assay method (DOMAIN §4), as data.

The form's input names are the raw-data field paths of
``maturity.calculations`` (``control.0.sown``, ``observations.colour``), so
one function, :func:`nest`, turns a submitted form into the raw data both for
the live preview and for saving, and the calculation's errors (keyed by the
same paths) land beside their inputs. Direct entry uses rows
(``rows.0.parameter``) that :func:`nest` turns into ``{"values": {...}}``.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from lims.messages import Message, gettext_noop
from maturity import calculations as calc
from maturity.parameters import METALS, PARAMETERS
from maturity.stability_forms import stability_fields

from . import labels

METHODS = calc.METHODS
DISH_ROWS = 3
DIRECT_ROWS = 12  # room for all ten metals and two more in one table


@dataclass
class Field:
    name: str
    label: object
    unit: str = ""
    kind: str = "number"  # number | integer | select | text | bool | file
    choices: tuple = ()
    required: bool = True
    help: object = ""
    placeholder: str = ""
    value: str = ""
    errors: list = field(default_factory=list)


def _n(name, label, unit="", required=True, help="", placeholder="", kind="number"):
    return Field(name=name, label=label, unit=unit, required=required, help=help, placeholder=placeholder, kind=kind)


def _select(name, label, choices, required=True, help=""):
    return Field(name=name, label=label, kind="select", choices=tuple(choices), required=required, help=help)


OBS_LABELS = {
    "colour": _("Colour"),
    "odour": _("Odour"),
    "plastic_bag_test": _("Plastic-bag test"),
    "earthworm_test": _("Earthworm test"),
    "diphenylamine_test": _("Diphenylamine test"),
    "pollen_tube_test": _("Pollen-tube test"),
    "seedling_pot_test": _("Seedling pot test"),
    "max_particle_mm": _("Maximum particle size"),
    "impurities_pct": _("Inert impurities"),
    "peak_temperature_c": _("Peak pile temperature"),
    "reheats_after_turning": _("Pile re-heats after turning"),
    "organic_matter_residual_stable": _("Organic-matter residual rate stable"),
    "fermentation_days": _("Fermentation days"),
    "turnings": _("Number of turnings"),
    "structure_fine_uniform": _("Structure collapsed, fine and uniform"),
    "manure_odour": _("Manure odour"),
    "clumps_when_squeezed": _("Clumps when squeezed"),
    "note": _("Note"),
}
OBS_UNITS = {"max_particle_mm": "mm", "impurities_pct": "%", "peak_temperature_c": "°C", "fermentation_days": _("days")}
OBS_CHOICES = {
    "dark_brown": _("dark brown"),
    "black_brown": _("black-brown"),
    "yellow": _("yellow"),
    "yellow_brown": _("yellow-brown"),
    "earthy": _("earthy"),
    "aromatic": _("aromatic"),
    "sour": _("sour"),
    "putrid": _("putrid"),
    "ammonia": _("strong ammonia"),
    "inflates_immediately": _("inflates immediately"),
    "inflates_slowly": _("inflates slowly"),
    "does_not_inflate": _("does not inflate"),
    "burrows_in": _("burrows in"),
    "escapes": _("escapes"),
    "dies": _("dies"),
    "blue": _("turns blue"),
    "no_blue": _("no blue colour"),
    "comparable_to_control": _("comparable to the control"),
    "inhibited": _("inhibited"),
}
YES_NO = (("true", _("yes")), ("false", _("no")))
DIRECT_BASES = (("", _("default")), ("dry", _("dry basis")), ("as_received", _("as received")))
QUALIFIERS = (("", "="), ("<", _("< below detection")))


def direct_units(key):
    if key in METALS:
        return ["mg/kg", "%"]
    if key == "ec_ds_m":
        return ["dS/m", "mS/cm", "mmho/cm"]
    if key == "cec_meq_100g":
        return ["meq/100 g", "cmol/kg"]
    return [PARAMETERS[key].unit] if key in PARAMETERS else []


def _observation_fields():
    out = []
    for key, spec in calc.OBSERVATIONS.items():
        name = f"observations.{key}"
        if spec.kind == "enum":
            f = _select(name, OBS_LABELS[key], [(c, OBS_CHOICES.get(c, c)) for c in spec.choices], required=False)
        elif spec.kind == "bool":
            f = _select(name, OBS_LABELS[key], YES_NO, required=False)
            f.kind = "bool"
        elif spec.kind == "text":
            f = _n(name, OBS_LABELS[key], required=False, kind="text")
        else:
            f = _n(
                name,
                OBS_LABELS[key],
                unit=OBS_UNITS.get(key, ""),
                required=False,
                kind="integer" if spec.kind == "integer" else "number",
            )
        out.append(f)
    return out


def method_fields(method, policy=None):
    """The simple (non-tabular) fields of a method's form, fresh objects each call."""
    f_default = policy.correction_factor if policy else 1.3
    if method == "moisture":
        return [_n("wet_mass_g", _("Wet mass"), "g"), _n("dry_mass_g", _("Dry mass (105 °C)"), "g")]
    if method == "organic_carbon_wet_oxidation":
        return [
            _n("sample_mass_g", _("Sample mass"), "g", placeholder="0.1"),
            _n("ferrous_normality", _("FeSO₄ normality"), "N", placeholder="0.5"),
            _n("titrant_ml", _("FeSO₄ titrant, sample"), "mL"),
            _n(
                "blank_ml",
                _("FeSO₄ titrant, blank"),
                "mL",
                required=False,
                help=_("With a blank: dichromate reduced = N(Fe) × (V blank − V sample)."),
            ),
            _n("dichromate_normality", _("K₂Cr₂O₇ normality"), "N", required=False, placeholder="1.0"),
            _n("dichromate_ml", _("K₂Cr₂O₇ volume"), "mL", required=False, placeholder="20"),
            _n("correction_factor", _("Recovery correction factor f"), "", required=False, placeholder=str(f_default)),
        ]
    if method == "organic_carbon_combustion":
        return [
            _n("organic_carbon_pct", _("Organic carbon"), "%"),
            _n("total_carbon_pct", _("Total carbon"), "%", required=False),
        ]
    if method == "total_nitrogen_kjeldahl":
        return [
            _n("sample_mass_g", _("Sample mass"), "g", placeholder="0.5"),
            _n("acid_normality", _("Acid normality"), "N", placeholder="0.1"),
            _n("titrant_ml", _("Acid titrant, sample"), "mL"),
            _n("blank_ml", _("Acid titrant, blank"), "mL"),
        ]
    if method == "reducing_sugar":
        return [
            _n("reducing_sugar_pct", _("Reducing sugar"), "%"),
            _n(
                "total_carbon_pct",
                _("Total carbon"),
                "%",
                required=False,
                help=_("Leave empty to use the sample's total carbon (or its organic carbon)."),
            ),
        ]
    if method == "germination":
        return [_select("protocol", _("Protocol"), labels.GERMINATION_PROTOCOLS.items())]
    if method == "chromatogram":
        zone_choices = {z: [(c, labels.ZONE_CODES[c]) for c in codes] for z, codes in calc.CHROMATOGRAM_ZONES.items()}
        return [
            _select("protocol", _("Protocol"), labels.CHROMATOGRAM_PROTOCOLS.items()),
            _select("center", labels.ZONES["center"], zone_choices["center"], required=False),
            _select("middle_band", labels.ZONES["middle_band"], zone_choices["middle_band"], required=False),
            _select("edge", labels.ZONES["edge"], zone_choices["edge"]),
            Field(name="photo", label=_("Photo of the paper"), kind="file", required=False),
        ]
    if method == "observation":
        return _observation_fields()
    if method in calc.STABILITY_METHODS:  # §12, the fields are in maturity.stability_forms
        return [_n(*spec[:3], required=spec[3], help=spec[4], kind=spec[5]) for spec in stability_fields(method)]
    return []


# --------------------------------------------------------------------------- form data -> raw data


def _clean(v):
    return v.strip() if isinstance(v, str) else v


def nest(method, post):
    """(raw data for ``compute``, path map) from the submitted fields.

    Empty inputs are left out (optional fields absent); empty dish and
    direct rows are dropped. The path map takes a calculation error path
    back to the form's input name."""
    flat = {
        k: _clean(v)
        for k, v in post.items()
        if k not in ("csrfmiddlewaretoken", "reason", "photo") and not k.startswith("_")
    }
    path_map = {}
    if method == "germination":
        data = {}
        if flat.get("protocol"):
            data["protocol"] = flat["protocol"]
        for group in ("control", "sample"):
            rows, i = [], 0
            indexes = sorted(
                {int(k.split(".")[1]) for k in flat if k.startswith(group + ".") and k.split(".")[1].isdigit()}
            )
            for idx in indexes:
                dish = {f: flat.get(f"{group}.{idx}.{f}", "") for f in ("sown", "germinated", "mean_root_length_mm")}
                if not any(dish.values()):
                    continue
                rows.append({k: v for k, v in dish.items() if v != ""})
                path_map[f"{group}.{i}"] = f"{group}.{idx}"
                i += 1
            data[group] = rows
        if flat.get("note"):
            data["note"] = flat["note"]
        return data, path_map
    if method == "direct":
        values = {}
        indexes = sorted({int(k.split(".")[1]) for k in flat if k.startswith("rows.") and k.split(".")[1].isdigit()})
        extra_errors = {}
        for idx in indexes:
            row = {
                f: flat.get(f"rows.{idx}.{f}", "")
                for f in ("parameter", "value", "unit", "basis", "qualifier", "uncertainty")
            }
            if not row["parameter"] and not row["value"]:
                continue
            if not row["parameter"]:
                extra_errors[f"rows.{idx}.parameter"] = [Message("required", gettext_noop("is required"))]
                continue
            if row["parameter"] in values:
                message = gettext_noop("already given in another row")
                extra_errors[f"rows.{idx}.parameter"] = [Message("parameter_repeated", message)]
                continue
            param = row.pop("parameter")
            values[param] = {k: v for k, v in row.items() if v != ""}
            path_map[f"values.{param}"] = f"rows.{idx}"
        data = {"values": values} if values else {}
        if flat.get("note"):
            data["note"] = flat["note"]
        if extra_errors:
            path_map["__extra__"] = extra_errors
        return data, path_map
    if method == "observation":
        obs = {}
        for k, v in flat.items():
            if not k.startswith("observations.") or v in ("", None):
                continue
            key = k.split(".", 1)[1]
            spec = calc.OBSERVATIONS.get(key)
            if spec is not None and spec.kind == "bool":
                v = {"true": True, "false": False}.get(v, v)
            obs[key] = v
        data = {"observations": obs} if obs else {}
        if flat.get("note"):
            data["note"] = flat["note"]
        return data, path_map
    data = {k: v for k, v in flat.items() if v not in ("", None) and "." not in k}
    if method == "chromatogram" and data.get("protocol") == "livestock_naoh":
        data.pop("center", None)
        data.pop("middle_band", None)
    return data, path_map


def map_errors(errors, path_map):
    """Calculation error paths -> form input names (``values.cu.unit`` -> ``rows.3.unit``)."""
    out = {}
    for key, messages in errors.items():
        target = key
        for prefix in sorted((p for p in path_map if p != "__extra__"), key=len, reverse=True):
            if key == prefix:
                target = path_map[prefix] + (".parameter" if prefix.startswith("values.") else "")
                break
            if key.startswith(prefix + "."):
                target = path_map[prefix] + key[len(prefix) :]
                break
        if target == "values":
            target = "rows.0.parameter"
        if target == "observations":
            target = "non_field_errors"
        out.setdefault(target, []).extend(messages)
    for key, messages in path_map.get("__extra__", {}).items():
        out.setdefault(key, []).extend(messages)
    return out


def flatten(method, data):
    """Stored raw data -> form values (for a correction form)."""
    out = {}
    if method == "germination":
        out["protocol"] = data.get("protocol", "")
        for group in ("control", "sample"):
            for i, dish in enumerate(data.get(group) or []):
                for k, v in dish.items():
                    out[f"{group}.{i}.{k}"] = str(v)
        return out
    if method == "direct":
        for i, (param, entry) in enumerate((data.get("values") or {}).items()):
            out[f"rows.{i}.parameter"] = param
            for k, v in entry.items():
                out[f"rows.{i}.{k}"] = "" if v is None else str(v)
        return out
    if method == "observation":
        for k, v in (data.get("observations") or {}).items():
            out[f"observations.{k}"] = ("true" if v else "false") if isinstance(v, bool) else str(v)
        return out
    return {k: "" if v is None else str(v) for k, v in data.items()}


# --------------------------------------------------------------------------- form model for the template


def _bind(f, values, errors):
    f.value = values.get(f.name, "")
    f.errors = errors.get(f.name, [])
    return f


def form_model(method, values=None, errors=None, policy=None):
    """Everything the entry template needs: fields with values and errors, dish and direct rows."""
    values, errors = values or {}, errors or {}
    if not values and method in ("germination", "chromatogram"):
        values = {"protocol": {"germination": "tari_cabbage", "chromatogram": "tari_agno3"}[method]}
    model = {"method": method, "fields": [_bind(f, values, errors) for f in method_fields(method, policy)]}
    if method == "germination":
        groups = []
        for group, title in (("control", _("Control (distilled water)")), ("sample", _("Compost extract"))):
            n = max(DISH_ROWS, 1 + max([int(k.split(".")[1]) for k in values if k.startswith(group + ".")] or [-1]))
            rows = []
            for i in range(n):
                rows.append(
                    [
                        _bind(Field(name=f"{group}.{i}.{f}", label=lbl, unit=u, kind=kind), values, errors)
                        for f, lbl, u, kind in (
                            ("sown", _("Seeds sown"), "", "integer"),
                            ("germinated", _("Germinated"), "", "integer"),
                            ("mean_root_length_mm", _("Mean root length"), "mm", "number"),
                        )
                    ]
                )
            groups.append({"key": group, "title": title, "rows": rows, "errors": errors.get(group, [])})
        model["dish_groups"] = groups
    if method == "direct":
        n = max(DIRECT_ROWS, 1 + max([int(k.split(".")[1]) for k in values if k.startswith("rows.")] or [-1]))
        params = [(k, labels.param_name(k)) for k in PARAMETERS]  # names, not keys
        rows = []
        for i in range(n):
            p = f"rows.{i}."
            rows.append(
                {
                    "parameter": _bind(
                        Field(
                            name=p + "parameter",
                            label=_("Parameter"),
                            kind="select",
                            choices=tuple(params),
                            required=False,
                        ),
                        values,
                        errors,
                    ),
                    "value": _bind(Field(name=p + "value", label=_("Value")), values, errors),
                    "unit": _bind(Field(name=p + "unit", label=_("Unit"), kind="text", required=False), values, errors),
                    "basis": _bind(
                        Field(name=p + "basis", label=_("Basis"), kind="select", choices=DIRECT_BASES, required=False),
                        values,
                        errors,
                    ),
                    "qualifier": _bind(
                        Field(
                            name=p + "qualifier",
                            label=_("Qualifier"),
                            kind="select",
                            choices=QUALIFIERS,
                            required=False,
                        ),
                        values,
                        errors,
                    ),
                    "uncertainty": _bind(
                        Field(name=p + "uncertainty", label=_("U (k = 2)"), required=False), values, errors
                    ),
                }
            )
        model["direct_rows"] = rows
        model["unit_options"] = sorted({u for k in PARAMETERS for u in direct_units(k) if u})
    model["note"] = _bind(Field(name="note", label=_("Note"), kind="text", required=False), values, errors)
    known = {f.name for f in model["fields"]} | {"note"}
    for g in model.get("dish_groups", []):
        known |= {f.name for row in g["rows"] for f in row} | {g["key"]}
    for row in model.get("direct_rows", []):
        known |= {f.name for f in row.values()}
    model["other_errors"] = [m for k, msgs in errors.items() if k not in known for m in msgs]
    return model
