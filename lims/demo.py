"""Demo data for `manage.py load_demo`: one user per role, one manufacturer
with two products and samples in different lifecycle states. Idempotent."""
import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from . import services
from .models import Manufacturer, User
from .roles import Role

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
        defaults={"registration_no": "53781234", "address": "屏東縣長治鄉 Changzhi, Pingtung County",
                  "contact_email": "qa@greensource.example"})
    users, passwords = {}, {}
    for username, role, first, last in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={
            "role": role, "first_name": first, "last_name": last,
            "manufacturer": maker if role == Role.MANUFACTURER else None})
        user.role = role
        user.manufacturer = maker if role == Role.MANUFACTURER else None
        user.is_staff = user.is_superuser = role == Role.LAB_ADMIN
        passwords[username] = None
        if created or password:
            user.set_password(new_password)
            passwords[username] = new_password
        user.save()
        users[username] = user
    if not maker.products.exists():
        _demo_products_and_samples(maker, users)
    return passwords


def _demo_products_and_samples(maker, users):
    tech, rev = users["technician"], users["reviewer"]
    cattle = services.product_create(
        actor=users["manufacturer"], manufacturer=maker, name="綠源牛糞堆肥 Green Source Cattle-Manure Compost",
        category="general_compost", bagasse_based=False, chemical_fertilizer_added=False,
        raw_materials=[{"name": "牛糞 cattle manure", "proportion_pct": 60.0},
                       {"name": "稻殼 rice husk", "proportion_pct": 25.0},
                       {"name": "木屑 sawdust", "proportion_pct": 15.0}],
        process={"fermentation_days": 75, "peak_temperature_c": 72.0, "turnings": 8})
    bagasse = services.product_create(
        actor=users["manufacturer"], manufacturer=maker, name="綠源蔗渣堆肥 Green Source Bagasse Compost",
        category="general_compost", bagasse_based=True, chemical_fertilizer_added=False,
        raw_materials=[{"name": "蔗渣 bagasse", "proportion_pct": 70.0},
                       {"name": "雞糞 chicken manure", "proportion_pct": 30.0}],
        process={"fermentation_days": 60, "peak_temperature_c": 70.5, "turnings": 6})
    today = timezone.localdate()
    plan = [  # (product, lot, days ago sampled, actions)
        (cattle, "CM-2611-01", 20, ["receive", "start_testing"]),
        (cattle, "CM-2611-02", 12, ["receive"]),
        (bagasse, "BG-2611-01", 10, []),
        (bagasse, "BG-2611-02", 25, ["receive", "start_testing"]),
    ]
    samples = []
    for product, lot, ago, actions in plan:
        sample = services.sample_create(actor=users["manufacturer"], product=product, lot_number=lot,
                                        sampled_on=today - datetime.timedelta(days=ago))
        for action in actions:
            sample = services.sample_transition(actor=tech, sample=sample, action=action)
        samples.append(sample)
    from . import demo_results  # assays and verification, once the maturity app provides them
    demo_results.add(samples, tech, rev)
    from composting import demo as composting_demo  # a windrow batch with logger data, the first sample from it
    composting_demo.add(maker, users["manufacturer"], samples[0])
