from django import forms
from django.utils.translation import gettext_lazy as _

from lims.models import Manufacturer
from lims.roles import Role

from .models import Batch


class BatchForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["manufacturer", "name", "method", "started_on", "ended_on"]
        widgets = {"started_on": forms.DateInput(attrs={"type": "date"}),
                   "ended_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if user.role == Role.MANUFACTURER:
            del self.fields["manufacturer"]
        else:
            self.fields["manufacturer"].queryset = Manufacturer.objects.order_by("name")

    def clean(self):
        data = super().clean()
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            self.add_error("ended_on", forms.ValidationError(_("The end date is before the start date."),
                                                             code="batch_end_before_start"))
        return data


class LoggerUploadForm(forms.Form):
    file = forms.FileField(label=_("Data-logger file (CSV: time, probe, temperature_c)"))


class TurningForm(forms.Form):
    at = forms.DateTimeField(label=_("Turned at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class MoistureForm(forms.Form):
    at = forms.DateTimeField(label=_("Measured at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    moisture_pct = forms.FloatField(label=_("Moisture %"), min_value=0, max_value=100)
