"""Login throttling (django-axes): five failures lock a username, and separately an address.

The lockout is the login form again with a Chinese message (HTTP 429); the bureau admin
unlocks in the Django admin or with `manage.py axes_reset_username`; all of it is logged.
"""

import io
import logging
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.urls import reverse

from perfeval.login_throttle import client_ip
from reports.demo.build import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，该账号或您所在的网络地址已被锁定 15 分钟"
WRONG = "请输入一个正确的用户名和密码"  # Django's own message, in Chinese


def attempt(client, username, password, ip="10.1.1.1", path=None):
    return client.post(path or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def lock_accountant(client, ip="10.1.1.1"):
    for _ in range(5):
        response = attempt(client, "accountant", "wrong-password", ip)
    return response


def test_five_wrong_passwords_lock_the_username_even_for_the_right_password(client, demo):
    for i in range(4):
        response = attempt(client, "accountant", f"wrong-{i}")
        assert response.status_code == 200
        assert WRONG in response.content.decode()
    response = attempt(client, "accountant", "wrong-5")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()

    response = attempt(client, "accountant", DEMO_PASSWORD)  # the sixth, with the right password
    html = response.content.decode()
    assert response.status_code == 429
    assert LOCKED in html and "联系财政局系统管理员" in html
    assert 'name="password"' in html and 'value="accountant"' in html  # the login form again
    assert not signed_in(client)
    # From another address too: the username itself is locked.
    response = attempt(Client(), "accountant", DEMO_PASSWORD, ip="10.2.2.2")
    assert response.status_code == 429


def test_failures_over_many_usernames_lock_the_address(client, demo):
    for name in ("reviewer", "admin", "nobody", "accountant2", "guess"):
        attempt(client, name, "wrong-password", ip="10.3.3.3")
    response = attempt(client, "accountant", DEMO_PASSWORD, ip="10.3.3.3")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    # Another address signs in, as a user with no failures and as one with a single failure.
    for name in ("accountant", "reviewer"):
        other = Client()
        response = attempt(other, name, DEMO_PASSWORD, ip="10.4.4.4")
        assert response.status_code == 302, name
        assert signed_in(other)


def test_a_success_before_the_limit_signs_in(client, demo):
    for _ in range(4):
        attempt(client, "accountant", "wrong-password")
    response = attempt(client, "accountant", DEMO_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_admin_unlocks_in_the_django_admin(client, demo):
    lock_accountant(client)
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    changelist = reverse("admin:axes_accessattempt_changelist")
    response = admin.get(changelist)
    assert response.status_code == 200
    assert "accountant" in response.content.decode()
    pks = list(AccessAttempt.objects.filter(username="accountant").values_list("pk", flat=True))
    response = admin.post(changelist, {"action": "delete_selected", "_selected_action": pks, "post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="accountant").exists()

    response = attempt(client, "accountant", DEMO_PASSWORD)
    assert response.status_code == 302
    assert signed_in(client)


def test_the_reset_command_unlocks(client, demo):
    lock_accountant(client, ip="10.5.5.5")
    call_command("axes_reset_username", "accountant", stdout=io.StringIO())
    response = attempt(Client(), "accountant", DEMO_PASSWORD, ip="10.6.6.6")
    assert response.status_code == 302


def test_failures_and_the_lockout_are_logged(client, demo, caplog):
    with caplog.at_level(logging.WARNING, logger="axes"):
        lock_accountant(client, ip="10.7.7.7")
    failures = AccessFailureLog.objects.filter(username="accountant", ip_address="10.7.7.7").order_by("pk")
    assert [f.locked_out for f in failures] == [False, False, False, False, True]
    lockouts = [r for r in caplog.records if r.name.startswith("axes") and "Locking out" in r.getMessage()]
    assert lockouts and lockouts[0].levelno == logging.WARNING
    assert 'username: "accountant"' in lockouts[0].getMessage()
    assert 'ip_address: "10.7.7.7"' in lockouts[0].getMessage()
    assert "wrong-password" not in caplog.text
    assert "wrong-password" not in AccessAttempt.objects.get(username="accountant").post_data


def test_the_admin_login_is_throttled_too(client, demo):
    path = reverse("admin:login")
    for _ in range(5):
        response = attempt(client, "admin", "wrong-password", path=path)
    response = attempt(client, "admin", DEMO_PASSWORD, path=path)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_address_is_remote_addr_unless_a_proxy_header_is_configured(settings):
    factory = RequestFactory()
    spoofed = factory.post("/login/", REMOTE_ADDR="10.8.8.8", HTTP_X_REAL_IP="1.2.3.4")
    assert client_ip(spoofed) == "10.8.8.8"  # a header the app was not told to trust is ignored
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(spoofed) == "1.2.3.4"
    settings.CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    # The proxy appends the address it saw; what the client put before it does not count.
    forwarded = factory.post("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    assert client_ip(forwarded) == "203.0.113.9"
    assert client_ip(factory.post("/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")) is None
    assert client_ip(factory.post("/login/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"  # not through the proxy


def test_behind_a_proxy_each_client_address_is_counted_apart(client, demo, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    for name in ("u1", "u2", "u3", "u4", "u5"):
        client.post(
            reverse("login"), {"username": name, "password": "x"}, REMOTE_ADDR="10.0.0.2", HTTP_X_REAL_IP="10.9.9.9"
        )
    locked = client.post(
        reverse("login"),
        {"username": "accountant", "password": DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_REAL_IP="10.9.9.9",
    )
    assert locked.status_code == 429
    colleague = Client().post(
        reverse("login"),
        {"username": "accountant2", "password": DEMO_PASSWORD},
        REMOTE_ADDR="10.0.0.2",  # the same proxy
        HTTP_X_REAL_IP="10.9.9.10",
    )
    assert colleague.status_code == 302


def test_the_admin_lists_the_attempts_under_a_chinese_heading(client, demo):
    client.force_login(get_user_model().objects.get(username="admin"))
    html = client.get(reverse("admin:index")).content.decode()
    assert "登录保护" in html
    attempt(Client(), "accountant", "wrong-password")
    html = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert re.search(r'class="column-status">\s*<div class="text"><span>状态</span>', html)
