from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_tasks_db.apps import TasksAppConfig


class TasksDatabaseConfig(TasksAppConfig):
    """django_tasks_db under a Chinese name in the admin (the package ships no Chinese)."""

    verbose_name = _("后台任务")


# The package's model names, so that makemessages keeps them in our catalogue.
TASK_MODEL_NAMES = (gettext_noop("Task Result"), gettext_noop("Task Results"))
