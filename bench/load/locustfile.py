"""Locust users for bench/load_test.py: accountants editing and live-scoring their own reports, reviewers browsing.

Run by bench/load_test.py, which sets up the database and gunicorn and passes, in the environment:
PERFEVAL_LOAD_USERS (a JSON file: accountants with password and report pk, reviewers with password),
PERFEVAL_LOAD_ACKS (where the acknowledged saves are written at the end), PERFEVAL_LOAD_ACCOUNTANTS and
PERFEVAL_LOAD_REVIEWERS (how many of each user class).

gunicorn runs as in production (DEBUG=0: secure cookies, CSRF origin checks). The load test talks to it
over plain http on loopback as a TLS-terminating proxy would: every request carries
X-Forwarded-Proto: https, posts carry the browser's Origin, and the cookie jar returns secure cookies.
"""

from __future__ import annotations

import http.cookiejar
import itertools
import json
import os
import random
import re
import sys
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import gevent
from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from _html_form import PageForm

ROW_NAME = "服务社区数量"
USERS = json.loads(Path(os.environ["PERFEVAL_LOAD_USERS"]).read_text(encoding="utf-8"))
ACKS: dict[str, dict] = {}  # report pk -> the last save the server acknowledged
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_RE = re.compile(r'name="version" value="(\d+)"')
REVIEW_RE = re.compile(r'href="/review/(\d+)/"')
_accountants = itertools.count()
_reviewers = itertools.count()


class LoopbackSecurePolicy(http.cookiejar.DefaultCookiePolicy):
    """Secure cookies go back over http: the load test stands where the TLS proxy would. The flag is
    dropped as a cookie is stored (requests copies the jar into one of default policy per request)."""

    def set_ok(self, cookie, request):
        cookie.secure = False
        return super().set_ok(cookie, request)


class Browser(HttpUser):
    abstract = True

    def on_start(self) -> None:
        self.client.cookies.set_policy(LoopbackSecurePolicy())
        self.client.headers.update({"X-Forwarded-Proto": "https"})
        host = urlsplit(self.host).netloc
        self.origin = f"https://{host}"

    def post_form(self, path: str, data: dict, name: str, **headers):
        headers = {"Origin": self.origin, "Content-Type": "application/x-www-form-urlencoded", **headers}
        return self.client.post(
            path, data=urlencode(data), headers=headers, name=name, catch_response=True, allow_redirects=False
        )

    def post_script(self, path: str, data: dict, name: str):
        """As the report page's script posts: the fields as one JSON object, the token in a header."""
        headers = {
            "Origin": self.origin,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-CSRFToken": data["csrfmiddlewaretoken"],
            "X-Requested-With": "fetch",
        }
        return self.client.post(
            path, data=json.dumps(data).encode(), headers=headers, name=name, catch_response=True, allow_redirects=False
        )

    def login(self, username: str, password: str) -> None:
        page = self.client.get("/login/", name="login GET")
        token = CSRF_RE.search(page.text).group(1)
        data = {"csrfmiddlewaretoken": token, "username": username, "password": password, "next": ""}
        with self.post_form("/login/", data, "login POST") as response:
            if response.status_code != 302:
                response.failure(f"login of {username}: HTTP {response.status_code}")


class Accountant(Browser):
    """Opens their report, types into 服务社区数量 (a live score per pause), saves, and again."""

    fixed_count = int(os.environ.get("PERFEVAL_LOAD_ACCOUNTANTS", "50"))
    wait_time = between(2, 5)

    def on_start(self) -> None:
        super().on_start()
        me = USERS["accountants"][next(_accountants) % len(USERS["accountants"])]
        self.report = me["report"]
        self.login(me["username"], me["password"])
        page = self.client.get(f"/reports/{self.report}/", name="report GET")
        form = PageForm(page.text)
        self.data = form.data()
        self.score_url, self.save_url = form.attrs["data-score-url"], form.attrs["data-save-url"]
        prefix = form.row_prefix(ROW_NAME)
        self.actual, self.row_id = f"{prefix}-actual_text", int(self.data[f"{prefix}-id"])
        self.saved = self.data.get(self.actual, "")

    def type_value(self, avoid: str | None = None) -> str:
        value = avoid
        while value == avoid:  # a save must change something, or the server rightly says "unchanged"
            value = f"{random.randint(20, 60)}个"
        self.data[self.actual] = value
        return value

    @task
    def edit(self) -> None:
        page = self.client.get(f"/reports/{self.report}/", name="report GET")
        match = VERSION_RE.search(page.text)
        if match and int(match.group(1)) != int(self.data["version"]):
            # Only this user edits the report: a different version means a save was lost or doubled.
            events.request.fire(
                request_type="CHECK",
                name="page version = acknowledged version",
                response_time=0,
                response_length=0,
                exception=AssertionError(f"page shows version {match.group(1)}, last ack {self.data['version']}"),
            )
        for _ in range(random.randint(3, 6)):
            self.type_value()
            with self.post_script(self.score_url, self.data, "report_score POST") as response:
                if response.status_code != 200 or "errors" not in response.text:
                    response.failure(f"live score: HTTP {response.status_code}")
            gevent.sleep(random.uniform(0.5, 1.5))  # the typist pauses; the page posts 350 ms after
        value = self.type_value(avoid=self.saved)
        sent_version = int(self.data["version"])
        with self.post_script(self.save_url, self.data, "report_save POST") as response:
            body = response.json() if response.headers.get("Content-Type", "").startswith("application/json") else {}
            if (
                response.status_code == 200
                and body.get("status") == "saved"
                and body.get("version") == sent_version + 1
            ):
                self.data["version"] = str(body["version"])
                self.saved = value
                ACKS[str(self.report)] = {"version": body["version"], "value": value, "row": self.row_id}
                write_acks()
            else:
                response.failure(f"save: HTTP {response.status_code} {body.get('status')} {body.get('message', '')}")


class Reviewer(Browser):
    """The review queue, then one or two review pages from it."""

    fixed_count = int(os.environ.get("PERFEVAL_LOAD_REVIEWERS", "5"))
    wait_time = between(3, 8)

    def on_start(self) -> None:
        super().on_start()
        me = USERS["reviewers"][next(_reviewers) % len(USERS["reviewers"])]
        self.login(me["username"], me["password"])

    @task
    def browse(self) -> None:
        page = self.client.get("/review/", name="review queue GET")
        pks = sorted(set(REVIEW_RE.findall(page.text)))
        if not pks:
            return
        for pk in random.sample(pks, min(2, len(pks))):
            self.client.get(f"/review/{pk}/", name="review page GET")


def write_acks() -> None:
    """After every acknowledged save (a few a second): the file holds them even if locust is stopped hard."""
    path = Path(os.environ["PERFEVAL_LOAD_ACKS"])
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(ACKS), encoding="utf-8")
    tmp.replace(path)
