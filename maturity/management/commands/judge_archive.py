from django.core.management.base import BaseCommand, CommandError

from lims.messages import english
from lims.models import LabSettings
from maturity import judgements
from maturity.compliance import DECISION_RULES
from maturity.errors import InputError
from maturity.selectors import edition_or_error


class Command(BaseCommand):
    help = (
        "Re-judge every released sample under an edition and decision rule and store the judgements "
        "(by default the lab's default edition, both rules), or with --maturity the maturity verdicts under "
        "every rule set. Sends the Celery job, or runs it here with --here."
    )

    def add_arguments(self, parser):
        parser.add_argument("--standard", help="edition code (default: the lab's default edition)")
        parser.add_argument("--decision-rule", choices=DECISION_RULES, help="default: both")
        parser.add_argument("--here", action="store_true", help="run in this process instead of a worker")
        parser.add_argument(
            "--maturity",
            action="store_true",
            help="instead: the maturity verdicts of every released sample under every rule set",
        )
        parser.add_argument("--reason", default="manage.py judge_archive")

    def handle(self, standard=None, decision_rule=None, here=False, reason="", maturity=False, **options):
        if maturity:
            run = judgements.maturity_run_start(reason=reason, dispatch=not here)
            if here:
                run = judgements.run_execute(run.pk)
            self.stdout.write(f"maturity: run {run.pk} {run.status}, {run.done} of {run.total} samples.")
            return
        try:
            edition = edition_or_error(standard or LabSettings.current().default_standard)
        except InputError as e:
            raise CommandError("; ".join(" ".join(map(str, english(v))) for v in e.errors.values()))
        for rule in [decision_rule] if decision_rule else DECISION_RULES:
            run = judgements.run_start(edition=edition, decision_rule=rule, reason=reason, dispatch=not here)
            if here:
                run = judgements.run_execute(run.pk)
            self.stdout.write(f"{edition.code}/{rule}: run {run.pk} {run.status}, {run.done} of {run.total} samples.")
