from django.core.management.base import BaseCommand

from reports.demo.build import load_demo


class Command(BaseCommand):
    help = "Load the demo data: the seed department's 2021 report and eight more departments (idempotent)."

    def handle(self, *args, **options):
        logins = load_demo()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪 / demo data ready."))
        self.stdout.write("演示账号 / demo logins (password for all: shown below):")
        for username, password, role in logins:
            self.stdout.write(f"  {username:<12} {password:<16} {role}")
