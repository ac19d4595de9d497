"""The lab-policy figures in force: LabSettings (editable by lab admins) over the spec defaults."""

from dataclasses import asdict, fields

from .calculations import LabPolicy

_FROM_SETTINGS = (
    "control_validity_pct",
    "root_growth_not_inhibited_pct",
    "dichromate_reduced_flag_pct",
    "correction_factor",
)


def current_policy():
    from lims.models import LabSettings

    s = LabSettings.current()
    return LabPolicy(**{k: getattr(s, k) for k in _FROM_SETTINGS})


def policy_as_dict(policy):
    return asdict(policy)


def policy_from_dict(d):
    names = {f.name for f in fields(LabPolicy)}
    return LabPolicy(**{k: v for k, v in (d or {}).items() if k in names})
