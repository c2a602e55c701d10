"""A report's states, the groups of states the code asks about, and the grades: defined once."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已送审")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("审核通过")
    PUBLISHED = "published", _("已公开")


# The order of the workflow, for counts and filters.
STATE_ORDER = (State.DRAFT, State.RETURNED, State.SUBMITTED, State.APPROVED, State.PUBLISHED)
# The department may edit: never handed in, or handed back. Late once the round's deadline has passed.
EDITABLE_STATES = (State.DRAFT, State.RETURNED)
NOT_HANDED_IN = EDITABLE_STATES
# Past draft/returned: the configuration and budget under these reports may not change.
FROZEN_STATES = (State.SUBMITTED, State.APPROVED, State.PUBLISHED)
# Scores shown as stored at approval, never rescored live.
FINAL_STATES = (State.APPROVED, State.PUBLISHED)
# Scores that still follow a change of the configuration (a submitted report is not approved yet).
RESCORABLE_STATES = (State.DRAFT, State.RETURNED, State.SUBMITTED)

# Grades from best to worst (their bands are the rule set's).
GRADES = ("优", "良", "中", "差")
# An approved or published report with one of these grades gets rectification items (整改);
# a returned one may get them whatever its grade (see reports.services.rectification).
RECTIFICATION_GRADES = GRADES[2:]

# The event field of a submission that holds the document as submitted (the review compares them).
SNAPSHOT_FIELD = "snapshot"
