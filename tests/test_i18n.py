"""Chinese by default, English for whoever chose it in the top bar (the django_language cookie)."""

import gettext

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real


@pytest.fixture(scope="module", autouse=True)
def compiled_messages():
    """The .mo files are build output (gitignored); compile them so this module stands alone."""
    call_command("compilemessages", ignore=[".venv"], verbosity=0)
    # A catalogue loaded earlier in this process (before compiling) would stay cached.
    gettext._translations.clear()
    trans_real._translations = {}
    trans_real._default = None


@pytest.fixture(autouse=True)
def _restore_language():
    """The middleware activates the request's language in this thread; don't let it leak."""
    with translation.override(translation.get_language()):
        yield


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_page_is_chinese_by_default_even_for_an_english_browser(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html
    assert "用户名" in html
    assert "Log in" not in html
    assert response.headers["Content-Language"] == "zh-hans"


def test_login_page_is_english_with_the_language_cookie(english):
    response = english.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Log in" in html
    assert "Username" in html
    assert "Password" in html
    assert "Department Performance Self-Evaluation" in html
    assert "登录" not in html
    assert "用户名" not in html
    assert response.headers["Content-Language"] == "en"


@pytest.mark.django_db
def test_home_page_is_english_for_a_signed_in_user(english):
    user = get_user_model().objects.create_user(username="i18n_user", password="pw-i18n_user")
    english.force_login(user)
    response = english.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Self-evaluation report" in html
    assert "Change password" in html
    assert "Log out" in html
    assert "No reports yet." in html
    for chinese in ("自评报告", "修改密码", "退出", "暂无报告"):
        assert chinese not in html


@pytest.mark.django_db
def test_home_page_is_chinese_without_the_cookie(client):
    user = get_user_model().objects.create_user(username="i18n_zh", password="pw-i18n_zh")
    client.force_login(user)
    html = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "自评报告" in html
    assert "Log out" not in html


def test_actions_and_states_are_told_apart_in_english(english, personas):
    """审核通过 is a state ("Approved") and an action ("Approve"): English needs both words."""
    from reports.models import Report

    submitted = Report.objects.get(department__code="201001", round__year=2021)
    assert submitted.state == Report.State.SUBMITTED
    english.force_login(personas["reviewer"])
    html = english.get(reverse("review:report", args=[submitted.pk])).content.decode()
    assert 'id="do-approve">Approve</button>' in html
    assert 'id="do-return">Return</button>' in html
    assert "审核通过" not in html
    # The budget table's row labels are the interface's, not the department's data.
    assert "(1) Fiscal funds" in html
    assert "资金来源" not in html

    # The department's history names what happened in English too (the submit event).
    english.force_login(personas["accountant_b"])
    html = english.get(reverse("report_history", args=[submitted.pk])).content.decode()
    assert "Submit" in html
    assert "送审" not in html
    html = english.get(reverse("home")).content.decode()
    assert '<th class="num">Errors</th><th class="num">Warnings</th>' in html
