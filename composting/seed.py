"""Bundled data of DOMAIN.md §9–§11 (pure data, no Django): criteria, material library, soil thresholds and
backgrounds. Loaded into the database by a data migration; the lab admin edits them there."""

T4 = "TARI handbook ch. 4 table 4 (Harada 1995)"
T5 = "TARI handbook ch. 4 table 5"
T3 = "TARI handbook ch. 4 table 3 (Harada 1995)"


def _o(name, group, temp, minutes, source, reliable=True):
    return {
        "name": name,
        "group": group,
        "temperature_c": temp,
        "minutes": minutes,
        "reliable": reliable,
        "source": source,
    }


# Ranges use their upper end (55–60 °C -> 60; 15–20 min -> 20). Rows without a time are shown, not judged.
ORGANISMS = [
    _o("Salmonella typhosa", "pathogen", 60, 30, T4),
    _o("Salmonella spp.", "pathogen", 56, 60, T4),
    _o("Shigella spp.", "pathogen", 55, 60, T4),
    _o("Escherichia coli", "pathogen", 55, 20, T4),
    _o("Streptococcus pyogenes", "pathogen", 54, 10, T4),
    _o("Mycobacterium diphtheriae", "pathogen", 55, 45, T4),
    _o("Brucella abortus / suis", "pathogen", 61, 3, T4),
    _o("Endamoeba histolytica (cysts)", "parasite", 55, None, T4),
    _o("Taenia saginata", "parasite", 60, 5, T4),
    _o("Trichinella spiralis", "parasite", 65, None, T4),
    _o("Necator americanus", "parasite", 45, 50, T4),
    _o("Ascaris lumbricoides (eggs)", "parasite", 60, 20, T4),
    _o("新城雞病 Newcastle disease (Paramyxovirus)", "virus", 56, 360, T5),
    _o("傳染性支氣管炎 Infectious bronchitis (Coronavirus)", "virus", 56, 15, T5),
    _o("傳染性喉頭氣管炎 Infectious laryngotracheitis (Herpesvirus)", "virus", 30, 5, T5),
    _o("馬立克病 Marek's disease (Herpesvirus)", "virus", 60, 5, T5, reliable=False),
    _o("雞痘 Fowl pox (Poxvirus)", "virus", 60, 8, T5),
    _o("家禽流行性感冒 Avian influenza (Orthomyxovirus)", "virus", 56, 30, T5),
    _o("傳染性滑氏囊炎 Infectious bursal disease (IBDV)", "virus", 56, None, T5, reliable=False),
    _o("口蹄疫 Foot-and-mouth disease (Picornavirus)", "virus", 70, 0.25, T5, reliable=False),
    _o("假性狂犬病 Pseudorabies (Herpesvirus)", "virus", 70, 5, T5),
    _o("豬痘 Swine pox (Togavirus)", "virus", 60, 10, T5),
    _o("傳染性胃腸炎 Transmissible gastroenteritis (Coronavirus)", "virus", 45, 45, T5),
    _o("微漿菌症 Mycoplasmosis (Mycoplasma)", "bacterium", 56, 30, T5),
    _o("雛白痢 Pullorum disease (Salmonella)", "bacterium", 60, 5, T5),
    _o("傳染性可利查 Infectious coryza (Haemophilus)", "bacterium", 55, 6, T5),
    _o("巴氏桿菌症 Pasteurellosis (Pasteurella)", "bacterium", 60, 30, T5),
    _o("葡萄球菌症 Staphylococcosis (Staphylococcus)", "bacterium", 60, 60, T5),
    _o("豬丹毒 Swine erysipelas (Erysipelothrix)", "bacterium", 56, 10, T5),
    _o("球蟲症 Coccidiosis (Coccidia)", "parasite", 45, 1440, T5),
    _o("蛔蟲症 Ascariasis (Ascarids)", "parasite", 54, 5, T5),
    _o("蒼蠅卵 Fly eggs", "fly", 45, 1440, T5),
    _o("蒼蠅蛆 Fly larvae", "fly", 60, 720, T5),
    _o("雜草種子 Weed seeds", "weed_seeds", 60, 2880, T3),
]

CRITERIA = [
    {
        "key": "tari_organisms",
        "name": "Pathogens, parasites, flies and weed seeds (TARI ch. 4 tables 3–5)",
        "kind": "organisms",
        "source": "TARI handbook ch. 4 tables 3, 4 and 5",
        "params": {"organisms": ORGANISMS},
    },
    {
        "key": "us_epa_pfrp",
        "name": "US EPA PFRP (40 CFR 503 App. B)",
        "kind": "pfrp",
        "source": "40 CFR 503 Appendix B",
        "params": {"temperature_c": 55, "days": 3, "windrow_days": 15, "windrow_turnings": 5},
    },
    {
        "key": "tari_comprehensive",
        "name": "TARI comprehensive maturity conditions (ch. 11 §4(5))",
        "kind": "comprehensive",
        "source": "TARI handbook ch. 11 §4(5)",
        "params": {"fermentation_days": 60, "peak_c": 70, "turnings": 6},
    },
    {
        "key": "tw_msw_compost",
        "name": "Municipal-waste compost for farmland (一般廢棄物回收清除處理辦法 Art. 26)",
        "kind": "msw_window",
        "source": "一般廢棄物回收清除處理辦法 第 26 條",
        "params": {"low_c": 45, "high_c": 70, "run_c": 50, "days": 7},
    },
    {
        "key": "reheat",
        "name": "Re-heating after turning (thermal stability, ch. 8)",
        "kind": "reheat",
        "source": "TARI handbook ch. 8; rise and window are lab policy",
        "params": {"rise_c": 5, "window_hours": 72},
    },
]

# ch. 6 table 1: C % and N % dry basis, moisture % as received
MATERIALS = [
    ("豬糞 Pig manure", 43, 3.0, 72),
    ("雞糞 Chicken manure", 34, 4.2, 56),
    ("牛糞 Cattle manure", 51, 2.7, 84),
    ("稻草 Rice straw", 53, 0.7, 14),
    ("稻殼 Rice hulls", 53, 0.6, 12),
    ("菇類木屑 Spent mushroom sawdust", 45, 0.7, 67),
    ("闊葉樹葉 Broadleaf leaves", 55, 1.2, 15),
]

METALS = ("As", "Cd", "Cr", "Cu", "Hg", "Ni", "Pb", "Zn")
# Taiwan soil pollution monitoring / control standards (2011), mg/kg dry: (general, food-crop farmland or None)
SOIL_THRESHOLDS = {
    "monitoring": {
        "As": (30, None),
        "Cd": (10, 2.5),
        "Cr": (175, None),
        "Cu": (220, 120),
        "Hg": (10, 2),
        "Ni": (130, None),
        "Pb": (1000, 300),
        "Zn": (1000, 260),
    },
    "control": {
        "As": (60, None),
        "Cd": (20, 5),
        "Cr": (250, None),
        "Cu": (400, 200),
        "Hg": (20, 5),
        "Ni": (200, None),
        "Pb": (2000, 500),
        "Zn": (2000, 600),
    },
}
# ch. 15 table 4: upper background of total heavy metals per soil group, mg/kg
SOIL_BACKGROUNDS = {
    "slate_alluvial": ("黏板岩沖積土 Slate alluvial soil", (21.0, 0.30, 130, 40.0, 0.80, 60.0, 60.0, 140)),
    "red": ("紅壤 Red soil", (16.0, 0.10, 110, 30.0, 0.10, 35.0, 30.0, 95.0)),
    "yellow": ("黃壤 Yellow soil", (8.00, 0.50, 120, 30.0, 0.20, 25.0, 25.0, 65.0)),
    "sandstone_shale_alluvial": (
        "砂頁岩沖積土 Sandstone-shale alluvial soil",
        (17.0, 0.20, 150, 90.0, 0.40, 40.0, 60.0, 160),
    ),
    "schist_alluvial": ("片岩沖積土 Schist alluvial soil", (15.0, 0.20, 150, 30.0, 0.10, 55.0, 25.0, 75.0)),
    "total": ("全體 Total (29 soils)", (17.0, 0.50, 170, 100, 0.60, 75.0, 85.0, 160)),
}


def load(criterion, material, soil_threshold, soil_background):
    """Create or refresh the bundled rows, given the four model classes (real or a migration's historical ones).
    Rows the lab admin added stay; bundled rows get their bundled values back."""
    for i, c in enumerate(CRITERIA):
        criterion.objects.update_or_create(
            key=c["key"],
            defaults={
                "name": c["name"],
                "kind": c["kind"],
                "params": c["params"],
                "source": c["source"],
                "position": i,
            },
        )
    for name, c, n, w in MATERIALS:
        material.objects.update_or_create(name=name, defaults={"carbon_pct": c, "nitrogen_pct": n, "moisture_pct": w})
    for level, metals in SOIL_THRESHOLDS.items():
        for metal, (general, farmland) in metals.items():
            soil_threshold.objects.update_or_create(
                level=level, metal=metal, defaults={"general_mg_kg": general, "farmland_mg_kg": farmland}
            )
    for group, (name, values) in SOIL_BACKGROUNDS.items():
        for metal, v in zip(METALS, values):
            soil_background.objects.update_or_create(group=group, metal=metal, defaults={"name": name, "mg_kg": v})
