from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    """django_tasks_db under a Chinese name in the admin (the package ships no Chinese)."""

    verbose_name = _("后台任务")


# The package's model names, so that makemessages keeps them in our catalogue.
TASK_MODEL_NAMES = (gettext_noop("Task Result"), gettext_noop("Task Results"))


class AxesConfig(AxesAppConfig):
    """django-axes (login throttling) under a Chinese name in the admin (the package ships no Chinese)."""

    verbose_name = _("登录保护")

    def ready(self):
        super().ready()
        # After the admin's autodiscover (django.contrib.admin comes first in INSTALLED_APPS).
        from perfeval import axes_admin  # noqa: F401


# The package's English names in the admin, kept in our catalogue for their Chinese.
AXES_NAMES = (
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("Username"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("Access lock out"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Locked Out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
)
