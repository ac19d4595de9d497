"""Which guaranteed constituents a manufacturer may declare in a dossier request."""

DECLARABLE = ("organic_matter_pct", "total_nitrogen_pct", "p2o5_pct", "k2o_pct")
