"""Demo data for `manage.py load_demo`: one user per role, one manufacturer
with two products and samples in different lifecycle states. Idempotent."""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from lims import services
from lims.models import Manufacturer, User
from lims.roles import Role

DEMO_USERS = [
    ("labadmin", Role.LAB_ADMIN, "Lab", "Admin 實驗室管理員"),
    ("technician", Role.TECHNICIAN, "Mei-Ling", "Lin 林美玲"),
    ("reviewer", Role.REVIEWER, "Chih-Wei", "Chen 陳志偉"),
    ("manufacturer", Role.MANUFACTURER, "Kuo-Hua", "Wang 王國華"),
    ("regulator", Role.REGULATOR, "Ya-Ting", "Huang 黃雅婷"),
]
DEMO_MANUFACTURER = "綠源有機肥料股份有限公司 Green Source Organic Fertilizer Co."


def generated_password():
    return "demo-" + secrets.token_urlsafe(9)


@transaction.atomic
def load_demo(password=None):
    """Create or refresh the demo. Returns {username: password, or None when unchanged}.

    A demo user gets a password when it is created (``password``, or a
    generated one); an existing user keeps the password it has (changed on
    the password page, perhaps) unless ``password`` is given, which resets
    every demo user to it."""
    new_password = password or generated_password()
    maker, _ = Manufacturer.objects.get_or_create(
        name=DEMO_MANUFACTURER,
        defaults={
            "registration_no": "53781234",
            "address": "屏東縣長治鄉 Changzhi, Pingtung County",
            "contact_email": "qa@greensource.example",
        },
    )
    users, passwords = {}, {}
    for username, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "role": role,
                "first_name": first,
                "last_name": last,
                "manufacturer": maker if role == Role.MANUFACTURER else None,
            },
        )
        user.role = role
        user.manufacturer = maker if role == Role.MANUFACTURER else None
        user.is_staff = user.is_superuser = role == Role.LAB_ADMIN
        passwords[username] = None
        if created or password:
            user.set_password(new_password)
            passwords[username] = new_password
        user.save()
        users[username] = user
    _demo_lab_identity(users)
    if not maker.products.exists():
        _demo_products_and_samples(maker, users)
    from qc import demo as qc_demo  # issue 11: reference material, control chart, open worksheet

    qc_demo.add(users)
    return passwords


DEMO_LAB = {
    "address": "臺中市霧峰區中正路 189 號 189 Zhongzheng Rd., Wufeng Dist., Taichung 413",
    "telephone": "+886 4 2330 2301",
    "location_of_activities": "本實驗室（固定場所） Permanent laboratory at the address above",
}


def _signature_png(name):
    """A drawn demo signature (PNG bytes), so the demo certificates show the signatory block in full."""
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (360, 110), (255, 255, 255, 0))
    d = ImageDraw.Draw(img)
    pts = [(10 + i * 8, 60 + (18 if i % 3 == 0 else -14 if i % 3 == 1 else 4)) for i in range(42)]
    d.line(pts, fill=(20, 40, 120, 255), width=4)
    d.line([(20, 92), (330, 84)], fill=(20, 40, 120, 255), width=2)
    buf = io.BytesIO()
    img.save(buf, "PNG", optimize=False)
    return buf.getvalue()


def _demo_lab_identity(users):
    """Lab settings a report needs (only fields still empty are filled) and the demo reviewer's signatory data."""
    from django.core.files.base import ContentFile

    from lims.models import LabSettings

    lab = LabSettings.current()
    changed = [f for f, v in DEMO_LAB.items() if not getattr(lab, f)]
    for f in changed:
        setattr(lab, f, DEMO_LAB[f])
    if changed:
        lab.save()
    rev = users["reviewer"]
    if not rev.title:
        rev.title = "報告簽署人 Authorised signatory, technical manager"
        rev.save(update_fields=["title"])
    if not rev.signature:
        rev.signature.save("reviewer.png", ContentFile(_signature_png(rev.display_name)), save=True)


def _demo_products_and_samples(maker, users):
    tech, rev = users["technician"], users["reviewer"]
    cattle = services.product_create(
        actor=users["manufacturer"],
        manufacturer=maker,
        name="綠源牛糞堆肥 Green Source Cattle-Manure Compost",
        category="general_compost",
        bagasse_based=False,
        chemical_fertilizer_added=False,
        raw_materials=[
            {"name": "牛糞 cattle manure", "proportion_pct": 60.0},
            {"name": "稻殼 rice husk", "proportion_pct": 25.0},
            {"name": "木屑 sawdust", "proportion_pct": 15.0},
        ],
        process={"fermentation_days": 75, "peak_temperature_c": 72.0, "turnings": 8},
    )
    bagasse = services.product_create(
        actor=users["manufacturer"],
        manufacturer=maker,
        name="綠源蔗渣堆肥 Green Source Bagasse Compost",
        category="general_compost",
        bagasse_based=True,
        chemical_fertilizer_added=False,
        raw_materials=[
            {"name": "蔗渣 bagasse", "proportion_pct": 70.0},
            {"name": "雞糞 chicken manure", "proportion_pct": 30.0},
        ],
        process={"fermentation_days": 60, "peak_temperature_c": 70.5, "turnings": 6},
    )
    today = timezone.localdate()
    plan = [  # (product, lot, days ago sampled, actions)
        (cattle, "CM-2611-01", 20, ["receive", "start_testing"]),
        (cattle, "CM-2611-02", 12, ["receive"]),
        (bagasse, "BG-2611-01", 10, []),
        (bagasse, "BG-2611-02", 25, ["receive", "start_testing"]),
    ]
    samples = []
    for product, lot, ago, actions in plan:
        sample = services.sample_create(
            actor=users["manufacturer"],
            product=product,
            lot_number=lot,
            sampled_on=today - datetime.timedelta(days=ago),
        )
        for action in actions:
            sample = services.sample_transition(
                actor=tech,
                sample=sample,
                action=action,
                condition="密封袋裝，完整，約 2 kg sealed bag, intact, about 2 kg",
            )
        samples.append(sample)
    from . import demo_results  # assays and verification, once the maturity app provides them

    demo_results.add(samples, tech, rev)
    from composting import demo as composting_demo  # a windrow batch with logger data, the first sample from it

    composting_demo.add(maker, users["manufacturer"], samples[0])
