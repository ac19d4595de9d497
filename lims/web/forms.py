"""Forms of the pages. They check the shape of the input only; the rules
(role, ownership, state, reasons) are the services'."""
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from lims.selectors import products_visible_to

DECISION_RULE_CHOICES = [("simple", _("Simple acceptance (shared risk)")),
                         ("guarded", _("Guarded acceptance (uncertainty considered)"))]


class DateInput(forms.DateInput):
    input_type = "date"


class LoginForm(AuthenticationForm):
    username = forms.CharField(label=_("Username"), max_length=150,
                               widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username",
                                                             "autocapitalize": "none"}))
    password = forms.CharField(label=_("Password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
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
        self.fields["product"].queryset = products_visible_to(user)
        self.fields["product"].label_from_instance = lambda p: f"{p.name} · {p.manufacturer.name}"


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))


class ReceiveForm(forms.Form):
    code = forms.CharField(label=_("Sample code"), max_length=20,
                           widget=forms.TextInput(attrs={"autofocus": True, "placeholder": "S-2026-000001",
                                                         "autocapitalize": "characters", "autocomplete": "off"}))


class CertificateForm(forms.Form):
    decision_rule = forms.ChoiceField(label=_("Decision rule"), choices=DECISION_RULE_CHOICES, required=False)


class DossierForm(forms.Form):
    samples = forms.ModelMultipleChoiceField(queryset=None, label=_("Verified samples"),
                                             widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["samples"].queryset = product.samples.filter(status__in=("verified", "certified"))
        self.fields["samples"].label_from_instance = lambda s: f"{s.code} · {s.lot_number}"
        from .dossier import DECLARABLE
        from . import labels
        for key in DECLARABLE:
            self.fields[f"declared_{key}"] = forms.DecimalField(
                label=labels.param_name(key), required=False, min_value=0, max_value=100, decimal_places=3,
                help_text="%")

    def declared(self):
        from .dossier import DECLARABLE
        return {k: float(self.cleaned_data[f"declared_{k}"]) for k in DECLARABLE
                if self.cleaned_data.get(f"declared_{k}") is not None}


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
    verdict = forms.ChoiceField(label=_("Verdict"), required=False, choices=[
        ("", _("All")), ("fail", _("Fail")), ("pass", _("Pass")), ("conditional", _("Conditional")),
        ("incomplete", _("Incomplete"))])
    failing = forms.ChoiceField(label=_("Failing parameter"), required=False)
    received_after = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_before = forms.DateField(label=_("Received until"), required=False, widget=DateInput)
    standard = forms.ChoiceField(label=_("Standard edition"), required=False)
    decision_rule = forms.ChoiceField(label=_("Decision rule"), required=False, choices=DECISION_RULE_CHOICES)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from lims.selectors import manufacturers_visible_to
        from maturity.models import StandardEdition
        from .queries import category_choices, parameter_choices
        self.fields["manufacturer"].choices = [("", _("All"))] + [(str(m.pk), m.name)
                                                                  for m in manufacturers_visible_to(user)]
        self.fields["category"].choices = [("", _("All"))] + category_choices()
        self.fields["failing"].choices = [("", _("Any"))] + parameter_choices() + [
            ("npk_sum_pct", "N + P₂O₅ + K₂O"), ("declaration", _("Declaration"))]
        self.fields["standard"].choices = [(e.code, e.code) for e in StandardEdition.objects.all()]
