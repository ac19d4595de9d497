"""Demo assay results: the worked examples of EXAMPLES.md as raw data.

Used by `load_demo` and by tests that need a sample with a full set of
verified results."""

from lims import services
from maturity.assays import assay_enter

EXAMPLE_ASSAYS = [
    ("moisture", {"wet_mass_g": 50.0, "dry_mass_g": 34.0}),
    (
        "organic_carbon_wet_oxidation",
        {"sample_mass_g": 0.1, "ferrous_normality": 0.5, "titrant_ml": 17.5, "blank_ml": 40.0},
    ),
    ("total_nitrogen_kjeldahl", {"sample_mass_g": 0.5, "acid_normality": 0.1, "titrant_ml": 9.2, "blank_ml": 0.2}),
    (
        "germination",
        {
            "protocol": "tari_cabbage",
            "control": [
                {"sown": 25, "germinated": 24, "mean_root_length_mm": 20.0},
                {"sown": 25, "germinated": 25, "mean_root_length_mm": 22.0},
                {"sown": 25, "germinated": 23, "mean_root_length_mm": 21.0},
            ],
            "sample": [
                {"sown": 25, "germinated": 23, "mean_root_length_mm": 19.0},
                {"sown": 25, "germinated": 22, "mean_root_length_mm": 18.5},
                {"sown": 25, "germinated": 24, "mean_root_length_mm": 20.0},
            ],
        },
    ),
    ("reducing_sugar", {"reducing_sugar_pct": 6.3, "total_carbon_pct": 46.0}),
    (
        "chromatogram",
        {"protocol": "tari_agno3", "center": "red_to_purple", "middle_band": "irregular", "edge": "serrated"},
    ),
    (
        "direct",
        {
            "values": {
                "ph": {"value": 7.4},
                "ec_ds_m": {"value": 3.1, "unit": "dS/m"},
                "p2o5_pct": {"value": 2.1, "unit": "%", "basis": "dry", "uncertainty": 0.1},
                "k2o_pct": {"value": 1.2, "unit": "%", "basis": "dry", "uncertainty": 0.08},
                "cu": {"value": 60, "unit": "mg/kg", "basis": "as_received", "uncertainty": 10},
                "zn": {"value": 5, "unit": "mg/kg", "basis": "dry", "qualifier": "<"},
                "pb": {"value": 12.5, "unit": "mg/kg", "basis": "dry", "uncertainty": 1.5},
                "cd": {"value": 0.4, "unit": "mg/kg", "basis": "dry", "qualifier": "<"},
            }
        },
    ),
]


def enter_example_results(sample, technician):
    for method, data in EXAMPLE_ASSAYS:
        assay_enter(actor=technician, sample=sample, method=method, data=data)


def verify_sample(sample, technician, reviewer):
    sample = services.sample_transition(actor=technician, sample=sample, action="submit")
    return services.sample_transition(actor=reviewer, sample=sample, action="verify")


def add(samples, technician, reviewer):
    """Demo: the first sample gets a full verified result set, the second results awaiting verification."""
    first, *rest = samples
    enter_example_results(first, technician)
    verify_sample(first, technician, reviewer)
    if rest and rest[-1].status == "in_testing":
        enter_example_results(rest[-1], technician)
        services.sample_transition(actor=technician, sample=rest[-1], action="submit")
