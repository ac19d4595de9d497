"""A reported value with its unit, basis, qualifier and uncertainty.

Pure, no Django import. Shared by the assay calculations (which produce
measurements) and the compliance engine (which judges them).
"""

from dataclasses import dataclass
from typing import Optional

BASES = ("dry", "as_received", "")  # '' = not a content (pH, ratios, indices)
QUALIFIERS = ("", "<")  # '<' = below the limit of detection/quantification


@dataclass(frozen=True)
class Measurement:
    value: float
    unit: str = ""
    basis: str = ""
    qualifier: str = ""
    uncertainty: Optional[float] = None  # expanded uncertainty U, k = 2, same unit

    def as_dict(self):
        return {
            "value": self.value,
            "unit": self.unit,
            "basis": self.basis,
            "qualifier": self.qualifier,
            "uncertainty": self.uncertainty,
        }

    @classmethod
    def from_dict(cls, d):
        v = d["value"]
        return cls(
            value=v if isinstance(v, int) and not isinstance(v, bool) else float(v),
            unit=d.get("unit", "") or "",
            basis=d.get("basis", "") or "",
            qualifier=d.get("qualifier", "") or "",
            uncertainty=None if d.get("uncertainty") in (None, "") else float(d["uncertainty"]),
        )
