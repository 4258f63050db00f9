from django.core.management.base import BaseCommand

from portal.wechat import demo
from portal.wechat.stub.__main__ import main


class Command(BaseCommand):
    help = ("Run the local WeChat stub for development, knowing the demo Official Account, "
            "its template ids and the demo followers.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8001)

    def handle(self, host, port, **options):
        main(["--host", host, "--port", str(port), "--app", demo.stub_app_argument(),
              "--followers", str(demo.DEMO_FOLLOWERS)])
