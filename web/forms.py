"""Forms of the pages. They check the shape of the input only; the rules
(role, ownership, state, reasons) are the services'."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lims.selectors import products_visible_to
from maturity.stability_forms import RULE_SET_LABELS

DECISION_RULE_CHOICES = [
    ("simple", _("Simple acceptance (shared risk)")),
    ("guarded", _("Guarded acceptance (uncertainty considered)")),
]


class DateInput(forms.DateInput):
    input_type = "date"


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }


class SampleCreateForm(forms.Form):
    product = forms.ModelChoiceField(queryset=None, label=_("Product"))
    lot_number = forms.CharField(label=_("Lot number"), max_length=100)
    sampled_on = forms.DateField(label=_("Sampled on"), widget=DateInput)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import timezone

        self.fields["product"].queryset = products_visible_to(user)
        self.fields["product"].label_from_instance = lambda p: f"{p.name} · {p.manufacturer.name}"
        self.fields["sampled_on"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean(self):
        """The API's date rules (lims.dates), with their messages in the page's language."""
        from django.utils import timezone

        from lims.dates import sample_date_errors

        from . import labels

        data = super().clean()
        for field, msgs in sample_date_errors(data.get("sampled_on"), None, timezone.localdate()).items():
            for m in msgs:
                self.add_error(field, labels.text(m))
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class ReceiveForm(forms.Form):
    code = forms.CharField(
        label=_("Sample code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "placeholder": "S-2026-000001",
                "autocapitalize": "characters",
                "autocomplete": "off",
            }
        ),
    )
    condition = forms.CharField(
        label=_("Condition on receipt"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. sealed bag, intact, about 2 kg")}),
    )


class CertificateForm(forms.Form):
    decision_rule = forms.ChoiceField(label=_("Decision rule"), choices=DECISION_RULE_CHOICES, required=False)
    rule_set = forms.ChoiceField(label=_("Rule set"), choices=list(RULE_SET_LABELS.items()), required=False)


class DossierForm(forms.Form):
    samples = forms.ModelMultipleChoiceField(
        queryset=None, label=_("Verified samples"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["samples"].queryset = product.samples.filter(status__in=("verified", "certified"))
        self.fields["samples"].label_from_instance = lambda s: f"{s.code} · {s.lot_number}"
        from . import labels
        from .dossier import DECLARABLE

        for key in DECLARABLE:
            self.fields[f"declared_{key}"] = forms.DecimalField(
                label=labels.param_name(key),
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=3,
                help_text="%",
            )

    def declared(self):
        from .dossier import DECLARABLE

        return {
            k: float(self.cleaned_data[f"declared_{k}"])
            for k in DECLARABLE
            if self.cleaned_data.get(f"declared_{k}") is not None
        }


class PrecheckForm(forms.Form):
    standard = forms.ChoiceField(label=_("Standard edition"))
    category = forms.ChoiceField(label=_("Fertilizer category"))
    decision_rule = forms.ChoiceField(label=_("Decision rule"), choices=DECISION_RULE_CHOICES)
    bagasse_based = forms.BooleanField(label=_("Made from bagasse"), required=False)
    chemical_fertilizer_added = forms.BooleanField(label=_("Chemical fertilizer added"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from maturity.models import StandardEdition

        from .queries import category_choices

        self.fields["standard"].choices = [(e.code, f"{e.code} · {e.title}") for e in StandardEdition.objects.all()]
        self.fields["category"].choices = category_choices()


class RegulatorFilterForm(forms.Form):
    manufacturer = forms.ChoiceField(label=_("Manufacturer"), required=False)
    category = forms.ChoiceField(label=_("Fertilizer category"), required=False)
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        required=False,
        choices=[
            ("", _("All")),
            ("fail", _("Fail")),
            ("pass", _("Pass")),
            ("conditional", _("Conditional")),
            ("incomplete", _("Incomplete")),
        ],
    )
    failing = forms.ChoiceField(label=_("Failing parameter"), required=False)
    maturity = forms.ChoiceField(
        label=_("Maturity (TARI 1999)"),
        required=False,
        choices=[
            ("", _("All")),
            ("mature", _("Mature")),
            ("intermediate", _("Intermediate")),
            ("immature", _("Immature")),
            ("incomplete", _("Incomplete")),
        ],
    )
    received_after = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_before = forms.DateField(label=_("Received until"), required=False, widget=DateInput)
    standard = forms.ChoiceField(label=_("Standard edition"), required=False)
    decision_rule = forms.ChoiceField(label=_("Decision rule"), required=False, choices=DECISION_RULE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from lims.selectors import manufacturers_visible_to
        from maturity.models import StandardEdition

        from .queries import category_choices, parameter_choices

        self.fields["manufacturer"].choices = [("", _("All"))] + [
            (str(m.pk), m.name) for m in manufacturers_visible_to(user)
        ]
        self.fields["category"].choices = [("", _("All"))] + category_choices()
        self.fields["failing"].choices = (
            [("", _("Any"))]
            + parameter_choices()
            + [("npk_sum_pct", "N + P₂O₅ + K₂O"), ("declaration", _("Declaration"))]
        )
        self.fields["standard"].choices = [(e.code, e.code) for e in StandardEdition.objects.all()]


class ProductForm(forms.Form):
    """The product page's fields, for showing and posting only: every rule (required fields, the
    category, the proportions, the process ranges, the name clash) is ProductSerializer's, and its
    messages are put back on these fields by the view. The raw-material rows are posted as
    ``raw_materials.<i>.name`` / ``raw_materials.<i>.proportion_pct`` beside the form."""

    manufacturer = forms.CharField(label=_("Manufacturer"), required=False, widget=forms.Select)
    name = forms.CharField(
        label=_("Product name"), required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 200})
    )
    category = forms.CharField(label=_("Fertilizer category"), required=False, widget=forms.Select)
    bagasse_based = forms.BooleanField(label=_("Made from bagasse"), required=False)
    chemical_fertilizer_added = forms.BooleanField(label=_("Chemical fertilizer added"), required=False)
    fermentation_days = forms.CharField(
        label=_("Fermentation time"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    peak_temperature_c = forms.CharField(
        label=_("Peak temperature"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    turnings = forms.CharField(
        label=_("Number of turnings"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the product's audit history."),
    )

    PROCESS = ("fermentation_days", "peak_temperature_c", "turnings")

    def __init__(self, *args, user, product=None, **kwargs):
        super().__init__(*args, **kwargs)
        from lims.roles import Role
        from lims.selectors import manufacturers_visible_to
        from maturity.selectors import category_names

        names = category_names()
        choices = [("", "—")] + [
            (k, f"{zh} {en}".strip()) for k, (zh, en) in sorted(names.items(), key=lambda kv: kv[0])
        ]
        current = product.category if product is not None else ""
        if current and current not in names:
            choices.append((current, current))
        self.fields["category"].widget.choices = choices
        if user.role == Role.MANUFACTURER:
            del self.fields["manufacturer"]  # always the user's own organisation
        else:
            self.fields["manufacturer"].widget.choices = [("", "—")] + [
                (str(m.pk), m.name) for m in manufacturers_visible_to(user)
            ]
        if product is None:
            del self.fields["reason"]

    @staticmethod
    def initial_for(product):
        process = product.process or {}
        initial = {
            "manufacturer": str(product.manufacturer_id),
            "name": product.name,
            "category": product.category,
            "bagasse_based": product.bagasse_based,
            "chemical_fertilizer_added": product.chemical_fertilizer_added,
        }
        for key in ProductForm.PROCESS:
            value = process.get(key)
            initial[key] = "" if value is None else plain_number(value)
        return initial

    def body(self, rows):
        """The posted page as the API's body (what ProductSerializer validates). Numbers that do not
        read as numbers are passed on as typed, so the serializer's own message names them."""
        d = self.cleaned_data
        body = {
            "name": d.get("name", "").strip(),
            "category": d.get("category", ""),
            "bagasse_based": bool(d.get("bagasse_based")),
            "chemical_fertilizer_added": bool(d.get("chemical_fertilizer_added")),
            "raw_materials": [
                {"name": r["name"].strip(), "proportion_pct": _number_or_text(r["proportion_pct"])} for r in rows
            ],
            "process": {k: _number_or_text(d.get(k, "")) for k in self.PROCESS if str(d.get(k, "")).strip() != ""},
        }
        if "manufacturer" in self.fields and d.get("manufacturer"):
            body["manufacturer"] = d["manufacturer"]
        if "reason" in self.fields:
            body["reason"] = d.get("reason", "")
        return body


def _number_or_text(raw):
    text = str(raw if raw is not None else "").strip()
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        return text


def plain_number(value):
    """75.0 -> '75', 72.5 -> '72.5', None -> '' (numbers as a person typed them)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def raw_material_rows(data):
    """``raw_materials.<i>.name`` / ``.proportion_pct`` of a POST -> [{"name", "proportion_pct"}] in row
    order, rows left wholly empty dropped (the page always offers a spare row)."""
    import re

    found = {}
    for key, value in data.items():
        m = re.fullmatch(r"raw_materials\.(\d+)\.(name|proportion_pct)", key)
        if m:
            found.setdefault(int(m.group(1)), {"name": "", "proportion_pct": ""})[m.group(2)] = value
    rows = [found[i] for i in sorted(found)]
    return [r for r in rows if r["name"].strip() or r["proportion_pct"].strip()]
