"""Where scale's bulk paths meet main's rules: batch certificates carry what a single one carries
(verification code, signatory, §7.8 fields); a retest of some assays drops the stored judgement."""

import pytest

from lims import services
from web.demo_results import enter_example_results, verify_sample

pytestmark = pytest.mark.django_db


def test_batch_certificates_carry_codes_and_the_fields_of_a_single_one(
    product_a, make_sample, users, django_capture_on_commit_callbacks
):
    from certificates import services as cert_services

    samples = []
    for lot in ("B-1", "B-2", "B-3"):
        s = make_sample(product_a, "received", lot)
        enter_example_results(s, users["technician"])
        samples.append(verify_sample(s, users["technician"], users["reviewer"]))
    with django_capture_on_commit_callbacks(execute=True):
        batch = cert_services.certificates_batch_request(actor=users["reviewer"], samples=samples[:2])
        single = cert_services.certificate_request(actor=users["reviewer"], sample=samples[2])
    docs = list(batch.documents.order_by("pk"))
    assert len(docs) == 2 and len({d.verification_code for d in docs}) == 2
    for d in docs:
        assert d.verification_code and d.context["verification_code"] == d.verification_code
        assert d.context["verification_url"].endswith(f"?code={d.verification_code}")
        assert d.context["signatory"] and d.context["signatory"]["name"] == users["reviewer"].display_name
        assert set(d.context) == set(single.context)
        assert d.sample.status == "certified"


def test_retest_of_one_assay_drops_the_stored_judgement(product_a, make_sample, users):
    from maturity.assays import sample_retest
    from maturity.models import Judgement

    s = make_sample(product_a, "received", "R-1")
    enter_example_results(s, users["technician"])
    s = verify_sample(s, users["technician"], users["reviewer"])
    assert Judgement.objects.filter(sample=s).exists()
    one = s.assays.filter(status="verified").order_by("pk").first()
    sample_retest(actor=users["reviewer"], sample=s, reason="Cu re-digest", assays=[one.pk])
    assert not Judgement.objects.filter(sample=s).exists()
    s.refresh_from_db()
    assert s.assays.filter(status="verified").exists()  # the other assays stay verified
    from maturity.assays import assay_enter
    from web.demo_results import EXAMPLE_ASSAYS

    assay_enter(actor=users["technician"], sample=s, method=one.method, data=dict(EXAMPLE_ASSAYS)[one.method])
    services.sample_transition(actor=users["technician"], sample=s, action="submit")
    services.sample_transition(actor=users["reviewer"], sample=s, action="verify")
    assert Judgement.objects.filter(sample=s).count() == 2  # stored again on verify, both decision rules
