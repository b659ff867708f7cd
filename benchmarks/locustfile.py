"""Simulated learners and staff for the mixed load test; run by mixed_load.py.

Learners (each about one request every 20 s) read lessons, mark them done, open and submit
quizzes (right answers for about two in three) and download certificates; one manager per
LMS_STAFF_EVERY learners opens the commune's dashboard and exports. With LMS_BURST=1 every
learner instead opens the final quiz, submits it with the right answers once, within the
spawn minute, and stops.

The people and answers come from the file mixed_load_setup.py wrote (LMS_PEOPLE).

The users are Locust's FastHttpUser (geventhttpclient), which costs the load generator a
fraction of the CPU of the requests-based HttpUser: on one machine, Locust's CPU is CPU the
servers under test do not get.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie
from urllib.parse import urlencode, urlsplit

from locust import FastHttpUser, between, constant_pacing, events, task
from locust.exception import StopUser

PEOPLE = json.loads(open(os.environ["LMS_PEOPLE"], encoding="utf-8").read())
BURST = os.environ.get("LMS_BURST") == "1"
STAFF_EVERY = int(os.environ.get("LMS_STAFF_EVERY", "200"))
_learners = itertools.cycle(PEOPLE["learners"])
SUBMITTED: list[str] = []  # attempts whose submission was answered 303 (graded, stored)

FORM_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
ATTEMPT = re.compile(r'name="attempt" value="([^"]+)"')
# An option: its question, its place on the page (what is sent) and its text.
QUESTION = re.compile(r'name="q-([^"]+)" value="(\d+)"[^>]*>\s*<span>(.*?)</span>', re.S)
CERTIFICATE = re.compile(r'href="(/me/certificates/[^"]+\.pdf)"')


def random_lesson() -> str:
    course = random.choice(list(PEOPLE["lessons"]))
    return f"/courses/{course}/{random.choice(PEOPLE['lessons'][course])}/"


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Person(FastHttpUser):
    abstract = True

    def sign_in(self, cookie: str) -> None:
        # Into the client's cookie jar, so that the session the site updates (its form token)
        # is sent back, as a browser does.
        name, value = cookie.split("=", 1)
        self.set_cookie(name, value)
        # Every question on one page, as a learner can choose (lms/device): take_quiz reads
        # and answers them all from the quiz page. (One question per screen, the default,
        # would send one answer and fail every attempt, so no certificate was ever issued.)
        self.set_cookie("quiz_layout", "all")

    def set_cookie(self, name: str, value: str) -> None:
        # Under the host's name and path "/": the ones the site's Set-Cookie replaces.
        self.client.cookiejar.set_cookie(Cookie(
            0, name, value, None, False, urlsplit(self.host).hostname, False, False, "/", True,
            False, None, False, None, None, {}))

    def post(self, path: str, name: str, form, expected: int) -> bool:
        with self.client.post(path, name=name, data=urlencode(form), headers=FORM,
                              allow_redirects=False, catch_response=True) as response:
            if response.status_code != expected:
                response.failure(f"{response.status_code}")
            return response.status_code == expected

    def get(self, path: str, name: str | None = None, ok=(200,)):
        with self.client.get(path, name=name or path,
                             allow_redirects=False, catch_response=True) as response:
            if response.status_code in ok:
                response.success()
            else:
                response.failure(f"{response.status_code}")
            return response


class Learner(Person):
    weight = STAFF_EVERY
    wait_time = constant_pacing(60) if BURST else constant_pacing(20)

    def on_start(self) -> None:
        self.sign_in(next(_learners))
        if BURST:  # arrive at a random moment of the minute, as a commune would
            self.wait_time = lambda: 0
            import gevent

            gevent.sleep(random.uniform(0, 55))

    @task(10)
    def read_lesson(self) -> None:
        if BURST:
            return self.final_quiz()
        self.get(random_lesson(), name="GET lesson")

    @task(3)
    def mark_done(self) -> None:
        if BURST:
            return self.final_quiz()
        lesson = random_lesson()
        page = self.get(lesson, name="GET lesson")
        token = FORM_TOKEN.search(page.text or "")
        if token and "/done" in page.text:
            self.post(f"{lesson}done", "POST lesson done", {"csrf_token": token.group(1)}, 302)

    @task(1)
    def quiz(self) -> None:
        if BURST:
            return self.final_quiz()
        self.take_quiz(random.choice(list(PEOPLE["answers"])), right=random.random() < 0.67)

    @task(1)
    def certificate(self) -> None:
        if BURST:
            return self.final_quiz()
        page = self.get("/me/", name="GET /me")
        found = CERTIFICATE.findall(page.text or "")
        if found:
            self.get(random.choice(found), name="GET certificate PDF")

    def final_quiz(self) -> None:
        self.take_quiz(PEOPLE["final_course"], right=True)
        raise StopUser()

    def take_quiz(self, course: str, right: bool) -> None:
        # A learner who tried a moment ago is asked to wait (429): expected, not an error.
        page = self.get(f"/courses/{course}/quiz/", name="GET quiz", ok=(200, 429))
        attempt = ATTEMPT.search(page.text or "")
        if page.status_code != 200 or not attempt:
            return
        key = PEOPLE["answers"][course]
        chosen: dict[str, list[str]] = {}
        for question, value, text in QUESTION.findall(page.text):
            chosen.setdefault(question, [])
            if (text in key[question]) == right:
                chosen[question].append(value)
        form = [("attempt", attempt.group(1))] + [
            (f"q-{question}", value) for question, values in chosen.items() for value in values]
        if self.post(f"/courses/{course}/quiz/", "POST quiz", form, 303):
            SUBMITTED.append(attempt.group(1))


class Manager(Person):
    weight = 0 if BURST else 1
    wait_time = between(20, 40)

    def on_start(self) -> None:
        self.sign_in(PEOPLE["manager"])

    @task(3)
    def dashboard(self) -> None:
        self.get("/reports/", name="GET reports")
        self.get(f"/reports/units/{PEOPLE['commune']}/", name="GET unit dashboard")

    @task(1)
    def export(self) -> None:
        fmt = random.choice(("csv", "xlsx"))
        self.get(f"/reports/units/{PEOPLE['commune']}/people.{fmt}", name=f"GET export {fmt}")


@events.quitting.add_listener
def _report_submissions(environment, **_kwargs) -> None:
    path = os.environ.get("LMS_SUBMITTED_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump(SUBMITTED, out)
