"""What a standards edition requires, as plain data: the limit rows (Requirement) and the declarations
a product must make (Declaration). Pure, no Django. ``standards_io`` reads them from files, ``compliance``
judges against them; both import them from here."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    category: str
    parameter: str
    kind: str  # "min" | "max" | "max_exclusive"
    limit: float
    unit: str
    basis: str  # "dry" | "as_received" | ""
    condition: str = ""  # "" | "bagasse" | "not_bagasse"
    condition_text: str = ""
    source: str = ""


@dataclass(frozen=True)
class Declaration:
    category: str
    key: str  # e.g. "no_chemical_fertilizer"
    text_zh: str
    text_en: str
