"""Requeue rescoring jobs whose workers died (no progress for RESCORE_STALE_MINUTES).

A new job recovers stale ones when it is enqueued; with no new job coming, this does it:
once, or every N seconds (the docker-compose `sweeper` service).
"""

import time

from django.core.management.base import BaseCommand

from reports.services.scoring import rescore_jobs_recover


class Command(BaseCommand):
    help = "重新排队已停滞的重新计分任务 / requeue stale rescoring jobs"

    def add_arguments(self, parser):
        parser.add_argument("--every", type=int, default=0, help="seconds between sweeps; 0: once")

    def handle(self, *args, every: int = 0, **options):
        while True:
            n = rescore_jobs_recover()
            self.stdout.write(f"已重新排队 {n} 个停滞的重新计分任务 / stale rescoring jobs requeued: {n}")
            if every <= 0:
                return
            time.sleep(every)
