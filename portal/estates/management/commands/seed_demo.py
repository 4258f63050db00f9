from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from merchants import demo as merchant_demo
from merchants.shop import demo as shop_demo
from portal.estates import demo
from portal.estates.models import Company
from portal.wechat import demo as wechat_demo
from services.billing import demo as billing_demo
from services.tickets import demo as ticket_demo
from services.visitors import demo as visitor_demo


class Command(BaseCommand):
    help = (
        "Load the demo estate: one company, two communities, about 1,000 houses, residents "
        "in every state and staff in every role; print their logins. Running it again "
        "creates nothing. With --houses 100000, a large estate for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument("--houses", type=int, default=demo.DEFAULT_HOUSES,
                            help="How many houses in total (default %(default)s).")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing if the database already holds a company.")

    def handle(self, houses, if_empty, **options):
        # Every demo account has the same published password, the superuser included.
        if not (settings.DEBUG or settings.TESTING):
            raise CommandError("seed_demo creates accounts with a published password; "
                               "it runs only with DEBUG=1.")
        if not demo.DEFAULT_HOUSES <= houses <= demo.MAX_HOUSES:
            raise CommandError(f"--houses must be between {demo.DEFAULT_HOUSES} and "
                               f"{demo.MAX_HOUSES}.")
        if if_empty and Company.objects.exists():
            self.stdout.write("The database already holds a company: demo estate not loaded.")
            return
        report = demo.seed(houses)
        company = Company.objects.get(name=demo.COMPANY)
        if wechat_demo.seed(company, company.communities.order_by("pk").first()):
            report.count("WeChat accounts", 1)
        for label, number in ticket_demo.seed(company).items():
            report.count(label, number)
        for label, number in visitor_demo.seed(company).items():
            report.count(label, number)
        for label, number in merchant_demo.seed(company).items():
            report.count(label, number)
        for label, number in shop_demo.seed(company).items():
            report.count(label, number)
        # The benchmarks' large estate brings its own fees and bills.
        if houses == demo.DEFAULT_HOUSES:
            for label, number in billing_demo.seed(company).items():
                report.count(label, number)
        created = ", ".join(f"{number} {label}" for label, number in report.created.items()
                            if number)
        self.stdout.write(f"Created {created or 'nothing: the demo estate was complete'} "
                          f"in {report.seconds:.1f} s.")
        self._print_logins(report.logins)

    def _print_logins(self, logins):
        columns = [("role", "role"), ("login", "login"), ("password", "password"),
                   ("community", "community")]
        rows = [[getattr(login, attr) for _, attr in columns] for login in logins]
        widths = [max(_width(title), *(_width(row[i]) for row in rows))
                  for i, (title, _) in enumerate(columns)]
        self.stdout.write("\nDemo logins: residents, workers and guards with their mobile "
                          "number at /accounts/login/ (workers then at /work/, guards at "
                          "/gate/), other staff with their username at /admin/.\n")
        for row in [[title for title, _ in columns], *rows]:
            cells = zip(row, widths, strict=True)
            self.stdout.write("  ".join(_pad(cell, width) for cell, width in cells))


def _width(text):
    # Chinese characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in str(text))


def _pad(text, width):
    return str(text) + " " * (width - _width(text))
