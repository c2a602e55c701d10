from django.core.management.base import BaseCommand

from reports.demo.build import load_demo, lock_in_use, queue_missing_archives
from reports.demo.history import load_history


class Command(BaseCommand):
    help = (
        "Load the demo data: the seed department's 2021 report, eight more departments in every state, "
        "and their published 2020 reports for year over year (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-history", action="store_true", help="skip the 2020 round")
        parser.add_argument(
            "--archives",
            action="store_true",
            help="queue the archive PDF of every approved or published report that has none, as approval does",
        )

    def handle(self, *args, **options):
        logins = load_demo()
        if not options["no_history"]:
            load_history()
        lock_in_use()
        if options["archives"]:
            queued = queue_missing_archives()
            self.stdout.write(f"归档 PDF：{queued} 份 / archive PDFs queued: {queued}")
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready."))
        self.stdout.write("演示账号 / demo logins (password for all: shown below):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<12} {password:<16} {role}")
