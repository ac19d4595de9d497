from django import forms
from django.utils.translation import gettext_lazy as _

from lims.models import Manufacturer
from lims.roles import Role

from .models import Batch
from .seed import METALS


class BatchForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["manufacturer", "name", "method", "started_on", "ended_on"]
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.MANUFACTURER:
            del self.fields["manufacturer"]
        else:
            self.fields["manufacturer"].queryset = Manufacturer.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            self.add_error(
                "ended_on",
                forms.ValidationError(_("The end date is before the start date."), code="batch_end_before_start"),
            )
        return data


class LoggerUploadForm(forms.Form):
    file = forms.FileField(label=_("Data-logger file (CSV: time, probe, temperature_c)"))


class TurningForm(forms.Form):
    at = forms.DateTimeField(label=_("Turned at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MoistureForm(forms.Form):
    at = forms.DateTimeField(label=_("Measured at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    moisture_pct = forms.FloatField(label=_("Moisture %"), min_value=0, max_value=100)


class MixMaterialForm(forms.Form):
    material = forms.ModelChoiceField(label=_("From the library"), queryset=None, required=False)
    sample = forms.ModelChoiceField(label=_("From a verified sample"), queryset=None, required=False)
    name = forms.CharField(label=_("or enter: name"), required=False, max_length=100)
    carbon_pct = forms.FloatField(label=_("C % (dry)"), required=False, min_value=0, max_value=100)
    nitrogen_pct = forms.FloatField(label=_("N % (dry)"), required=False, min_value=0, max_value=100)
    moisture_pct = forms.FloatField(label=_("Moisture %"), required=False, min_value=0, max_value=99.99)
    min_share_pct = forms.FloatField(label=_("Min. share %"), required=False, min_value=0, max_value=100)
    max_share_pct = forms.FloatField(label=_("Max. share %"), required=False, min_value=0, max_value=100)
    cost_per_tonne = forms.FloatField(label=_("Cost per tonne"), required=False, min_value=0)

    def __init__(self, *args, materials, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].queryset = materials
        self.fields["sample"].queryset = samples

    def is_blank(self):
        d = getattr(self, "cleaned_data", {})
        return not (d.get("material") or d.get("sample") or d.get("carbon_pct") is not None)


class MixTargetForm(forms.Form):
    target_cn = forms.FloatField(label=_("Target C/N"), initial=30, min_value=0.01)
    target_moisture_pct = forms.FloatField(label=_("Target moisture %"), initial=65, min_value=0.01, max_value=99.99)
    dry_total_kg = forms.FloatField(label=_("Dry mass of the mix (kg)"), initial=100, min_value=0.001)
    batch = forms.ModelChoiceField(label=_("Save as the recipe of batch"), queryset=None, required=False)

    def __init__(self, *args, batches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["batch"].queryset = batches


class ForecastForm(forms.Form):
    sample = forms.ModelChoiceField(label=_("Verified sample"), queryset=None)
    rate_t_ha = forms.FloatField(label=_("Application rate (t/ha/yr as received)"), initial=10, min_value=0)
    horizon_years = forms.FloatField(label=_("Horizon (years)"), initial=100, min_value=0.01, max_value=1000)
    land_use = forms.ChoiceField(
        label=_("Standards"), choices=[("farmland", _("food-crop farmland")), ("general", _("general land"))]
    )
    soil_group = forms.ChoiceField(label=_("Soil group (upper background)"), choices=[])
    depth_cm = forms.FloatField(label=_("Plough layer (cm)"), initial=15, min_value=0.01, max_value=200)
    bulk_density = forms.FloatField(label=_("Bulk density (g/cm³)"), initial=1.2, min_value=0.01, max_value=3)

    def __init__(self, *args, samples, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample"].queryset = samples
        self.fields["soil_group"].choices = [(g["group"], g["name"]) for g in groups]
        for metal in METALS:  # a measured starting concentration replaces the group's background for that metal
            self.fields[f"start_{metal}"] = forms.FloatField(
                label=_("measured %(metal)s in the soil (mg/kg)") % {"metal": metal}, required=False, min_value=0
            )

    def start(self, groups):
        base = dict(next(g for g in groups if g["group"] == self.cleaned_data["soil_group"])["metals"])
        for metal in METALS:
            if self.cleaned_data.get(f"start_{metal}") is not None:
                base[metal] = self.cleaned_data[f"start_{metal}"]
        return base


class SampleLinkForm(forms.Form):
    sample = forms.ModelChoiceField(label=_("Sample taken from this batch"), queryset=None)

    def __init__(self, *args, samples, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sample"].queryset = samples
