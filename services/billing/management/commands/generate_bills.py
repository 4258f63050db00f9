import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.estates.models import Community
from services.billing.fees import Period
from services.billing.generation import generate


class Command(BaseCommand):
    help = ("Generate the bills of a period (2026-11, 2026-Q4 or 2026) for every house of "
            "the given communities (all by default). Running it again creates nothing new.")

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument("--community", action="append", default=[],
                            help="A community code; may be repeated.")

    def handle(self, *args, period, community, **options):
        try:
            period = Period.parse(period)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        communities = Community.objects.order_by("pk")
        if community:
            communities = communities.filter(code__in=community)
            missing = set(community) - set(communities.values_list("code", flat=True))
            if missing:
                raise CommandError(f"No community {', '.join(sorted(missing))}.")
        totals = [0, 0, 0]
        started = time.monotonic()
        for each in communities:
            try:
                run = generate(each, period)
            except ValidationError as error:
                raise CommandError(error.messages[0]) from error
            for number, count in enumerate((run.houses, run.bills_created,
                                            run.lines_created)):
                totals[number] += count
            if options["verbosity"] > 1:
                self.stdout.write(f"{each.code}: {run.bills_created} bills, "
                                  f"{run.lines_created} lines")
        houses, bills, lines = totals
        self.stdout.write(f"{period}: {houses} houses, {bills} bills and {lines} lines created "
                          f"in {time.monotonic() - started:.2f} s")
