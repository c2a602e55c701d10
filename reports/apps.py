from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate
from django.utils.translation import gettext_lazy as _

from reports import signals
from reports.pdf.startup import ready as pdf_ready


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("评价任务与自评报告")

    def ready(self):
        pre_migrate.connect(signals.drop_sqlite_triggers, sender=self)
        post_migrate.connect(signals.lay_sqlite_triggers, sender=self)
        pdf_ready(self)
