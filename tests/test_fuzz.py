"""Fuzzing every route: generated addresses, query strings and forms, as every role; no 5xx.

Routes come from the app's URL map; field names from its WTForms classes and from the forms
and links that a crawl of the pages finds for each role (with the URL arguments and query
fields those links use), so a new route or form is fuzzed without editing this file. Each
role (anonymous, learner, manager, administrator) is signed in through the real forms. The run is derandomised: the same code gives the same inputs, so a failure
is reproduced by running the test again. LMS_FUZZ_SEED=<n> explores other inputs (printed
with any failure) and LMS_FUZZ_INPUTS=<n> changes how many generated values each database gets.
"""
from __future__ import annotations

import html
import io
import ipaddress
import os
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, seed, settings, strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import AnyConverter, IntegerConverter, PathConverter

from lms.extensions import db
from lms.models import User
from lms.routing import DatabaseIdConverter
from lms.services import clock
from tests.conftest import complete_through_the_record

ROLES = ("anonymous", "learner", "manager", "admin")
# SQLite is fast and carries most of the run; PostgreSQL is where integer overflow and NUL
# characters show, so it gets a share of its own. Together: over 10,000 generated values
# (URL arguments, query and form fields, files), each sent in a real request.
INPUTS = {"sqlite": 7_500, "postgresql": 2_500}
# Generated values per request, measured (URL arguments, query and form fields, files), a
# little low: the number of requests follows from the values wanted.
MEAN_INPUTS_PER_REQUEST = 2.8
FUZZ_SEED = os.environ.get("LMS_FUZZ_SEED")

# Inputs that broke this app or apps like it: other scripts' digits, huge and negative
# numbers, full-width and doubled slashes, impossible dates, markup, very long values.
ODD_VALUES = [
    "", " ", "0", "-1", "1.5", "1e9", "NaN", "²", "٣", "１２", str(2**31 - 1), str(2**31),
    str(2**63), "9" * 5000, "//／", "//evil.example", "/\\evil.example", "／／x",
    "javascript:alert(1)", "<script>alert(1)</script>", "' OR 1=1 --", "%00", "\x00", "\r\n",
    "2026-02-30", "0001-01-01", "9999-12-31", "10000-01-01", "-2026-01-01", "on", "true",
    "vi", "en", "current", "replaced", "x" * 300, "ệ" * 2000, "\u202e", "\ufeff", "\ud7ff",
    "0912345678", "+84912345678", "0912 000 001", "a@b.vn", "HN", "HN-HK", "NOPE",
    "citizen", "civil-servant", "percent", "count", "50", "100000001",
]


@dataclass
class FuzzWorld:
    """The app, a client per role, and the names and values worth trying."""

    app: object
    clients: dict
    people: dict
    rules: list
    field_names: list
    query_names: list
    arguments: dict
    names: dict
    known: list
    file_fields: list

    def client_for(self, role: str):
        return self.clients[role]

    def sign_in_again(self, role: str) -> None:
        """After a generated sign-out, the role's client gets its sign-in back (a sign-out
        ends every session of that account, so the old cookie is no longer valid)."""
        with self.app.app_context():
            user = db.session.get(User, self.people[role])
            session_id = user.get_id()
        with self.clients[role].session_transaction() as session:
            session["_user_id"] = session_id
            session["_fresh"] = True


def field_names_of_forms() -> set[str]:
    names = set()
    pending = list(FlaskForm.__subclasses__())
    while pending:
        form = pending.pop()
        pending += form.__subclasses__()
        names |= {name for name in dir(form) if hasattr(getattr(form, name), "field_class")}
    return names


def build_world(app, learners, bundled_catalog) -> FuzzWorld:
    clients = {"anonymous": app.test_client(),
               **{role: learners.with_role(role) for role in ROLES[1:]}}
    with app.app_context():
        people = {role: db.session.query(User).filter_by(role=role).one().id
                  for role in ROLES[1:]}
        # Something to find behind the certificate routes: the learner holds one.
        learner = db.session.get(User, people["learner"])
        issued = complete_through_the_record(
            db.session, learner, bundled_catalog, bundled_catalog.course("data-security"),
            clock.now())
        db.session.commit()
        codes = [c.code for c in issued]
    manager = clients["manager"]
    due = (date.today() + timedelta(days=30)).isoformat()
    manager.post("/reports/assignments/", data={"subject": "course:ai-basics", "unit": "HN-HK",
                                               "due_on": due})
    manager.post("/reports/targets/", data={
        "unit": "HN-HK", "program": bundled_catalog.programs[0].slug, "audience": "citizen",
        "kind": "percent", "value": "50", "deadline": due})

    rules = [rule for rule in app.url_map.iter_rules()
             if rule.endpoint != "static" and rule.methods - {"HEAD", "OPTIONS"}]
    crawl = crawl_pages(app, clients, rules, [f"/courses/{c.slug}/quiz/"
                                              for c in bundled_catalog.courses])
    known = sorted({*codes, *crawl.values, *(c.slug for c in bundled_catalog.courses),
                    *(p.slug for p in bundled_catalog.programs), "1", "2", "3"})
    return FuzzWorld(app, clients, people, rules,
                     field_names=sorted(field_names_of_forms() | crawl.field_names),
                     query_names=sorted(crawl.query_names | {"next", "lang"}),
                     arguments=crawl.arguments, names=crawl.names, known=known,
                     file_fields=["file", "pdf"])


@dataclass
class Crawl:
    field_names: set = field(default_factory=set)
    query_names: set = field(default_factory=set)
    values: set = field(default_factory=set)
    arguments: dict = field(default_factory=dict)  # {(endpoint, argument): {values seen}}
    names: dict = field(default_factory=dict)  # {endpoint: {its form and query field names}}


def crawl_pages(app, clients, rules, extra_paths, per_role=60) -> Crawl:
    """What the pages show each role: form field names, and the links' URL arguments and
    query fields, so generated requests also reach the pages behind real links."""
    found = Crawl()
    adapter = app.url_map.bind("localhost")
    start = [rule.rule for rule in rules if not rule.arguments and "GET" in rule.methods]
    for client in clients.values():
        pending, seen = [*start, *extra_paths], set()
        while pending and len(seen) < per_role:
            path = pending.pop(0)
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            if response.mimetype != "text/html":
                response.close()
                continue
            page = response.get_data(as_text=True)
            found.field_names |= set(re.findall(r'name="([^"]+)"', page)) - {"csrf_token"}
            forms = re.findall(r'<form([^>]*)>(.*?)</form>', page, re.DOTALL)
            targets = [(re.search(r'action="([^"#]*)"', attributes), body)
                       for attributes, body in forms]
            for link in re.findall(r'href="([^"#]+)"', page) + [
                    path if action is None else action.group(1) for action, _ in targets]:
                parts = urlsplit(html.unescape(link))
                if parts.netloc or not parts.path.startswith("/"):
                    continue
                for method in ("GET", "POST"):
                    try:
                        endpoint, arguments = adapter.match(parts.path, method=method)
                    except HTTPException:
                        continue
                    for name, value in arguments.items():
                        found.arguments.setdefault((endpoint, name), set()).add(str(value))
                    for key, value in parse_qsl(parts.query):
                        found.query_names.add(key)
                        found.names.setdefault(endpoint, set()).add(key)
                        found.values.add(value)
                    if method == "GET" and endpoint != "static":
                        pending.append(parts.path + (f"?{parts.query}" if parts.query else ""))
                    break
            for action, body in targets:  # the fields each form sends to its address
                action_path = urlsplit(html.unescape(action.group(1))).path if action else path
                for method in ("POST", "GET"):
                    try:
                        endpoint, _ = adapter.match(action_path.split("?")[0], method=method)
                    except HTTPException:
                        continue
                    found.names.setdefault(endpoint, set()).update(
                        set(re.findall(r'name="([^"]+)"', body)) - {"csrf_token"})
                    break
    return found


def texts(max_size=20):
    return st.text(max_size=max_size)


def request_strategy(world: FuzzWorld):
    """Built once: (role, method, path, URL argument count, query, form, files, address)
    for any route and method."""
    # Mostly picked from lists (cheap to generate), else any text, number or date.
    odd = st.sampled_from(ODD_VALUES)
    value = st.one_of(odd, odd, st.sampled_from(world.known), texts(),
                      st.integers(-2**70, 2**70).map(str), st.dates().map(date.isoformat))
    # Around the limits of 32- and 64-bit columns, where databases overflow.
    limits = [str(n + d) for n in (2**15, 2**31, 2**32, 2**63, 2**64) for d in (-1, 0, 1)]
    numbers = st.one_of(st.sampled_from(limits), st.integers(0, 5).map(str),
                        st.integers(-2**70, 2**70).map(str), value)
    known = st.one_of(st.sampled_from(world.known), value)
    paths = st.one_of(known, st.lists(value, max_size=3).map("/".join))

    def segment(rule, name):
        """A value for one URL argument: one the pages link to, one of the converter's kind,
        or value."""
        converter = rule._converters[name]
        if isinstance(converter, (IntegerConverter, DatabaseIdConverter)):
            generic = numbers
        elif isinstance(converter, AnyConverter):
            generic = st.one_of(st.sampled_from(sorted(converter.items)), value)
        else:
            generic = paths if isinstance(converter, PathConverter) else known
        linked = sorted(world.arguments.get((rule.endpoint, name), ()))
        return st.one_of(st.sampled_from(linked), generic) if linked else generic

    def path_for(rule):
        def build(arguments: dict) -> str:
            def filled(match):
                name = match.group(1)
                safe = "/" if isinstance(rule._converters[name], PathConverter) else ""
                return quote(arguments[name], safe=safe)
            return re.sub(r"<(?:[^<>]*:)?(\w+)>", filled, rule.rule)
        return st.fixed_dictionaries({name: segment(rule, name)
                                      for name in rule._converters}).map(build)

    def fields_for(rule, min_size=0, max_size=4):
        """Field names: mostly the route's own (its forms', its links'), else any or junk."""
        own = sorted(world.names.get(rule.endpoint, ()))
        names = [st.sampled_from(own)] * 2 if own else []
        names += [st.sampled_from(world.query_names + world.field_names), texts(8)]
        return st.lists(st.tuples(st.one_of(names), value), min_size=min_size,
                        max_size=max_size)

    files = st.lists(st.tuples(st.sampled_from(world.file_fields), st.binary(max_size=2000),
                               st.sampled_from(["a.pdf", "staff.xlsx", "staff.csv", "x",
                                                "..\\x"])), max_size=1)
    no_files = st.just([])
    routes = []
    for rule in world.rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            posting = method == "POST"
            routes.append(st.tuples(
                st.sampled_from(ROLES), st.just(method), path_for(rule),
                # every request carries at least one input
                st.just(len(rule.arguments)), fields_for(rule, 0 if rule.arguments else 1, 3),
                fields_for(rule) if posting else no_files, files if posting else no_files,
                # a fresh address each time, so per-address limits rarely hide a page
                st.integers(1, 2**32 - 2).map(lambda n: str(ipaddress.IPv4Address(n)))))
    return st.one_of(routes)


def inputs_in(request) -> int:
    """Generated values a request carries: URL arguments, query and form fields, files."""
    _role, _method, _path, arguments, query, form, files, _address = request
    return arguments + len(query) + len(form) + len(files)


def send(world: FuzzWorld, request) -> int:
    role, method, path, _arguments, query, form, files, address = request
    data = [*form, *((name, (io.BytesIO(body), filename)) for name, body, filename in files)]
    response = world.client_for(role).open(
        path, method=method, query_string=query, data=MultiDict(data),
        environ_base={"REMOTE_ADDR": address})
    response.get_data()  # to the end, streamed exports included
    status = response.status_code
    response.close()
    if path == "/logout" and role != "anonymous" and status == 302:
        world.sign_in_again(role)
    return status


@pytest.fixture
def fuzz_world(app, learners, bundled_catalog):
    return build_world(app, learners, bundled_catalog)


def test_no_generated_request_gets_a_server_error(fuzz_world, database_url):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    wanted = int(os.environ.get("LMS_FUZZ_INPUTS") or INPUTS[kind])
    statuses: dict[int, int] = {}
    sent = {"requests": 0, "inputs": 0}

    @settings(max_examples=int(wanted / MEAN_INPUTS_PER_REQUEST),
              derandomize=FUZZ_SEED is None, deadline=None, database=None, print_blob=True,
              suppress_health_check=list(HealthCheck))
    @given(request=request_strategy(fuzz_world))
    def no_server_error(request):
        status = send(fuzz_world, request)
        statuses[status] = statuses.get(status, 0) + 1
        sent["requests"] += 1
        sent["inputs"] += inputs_in(request)
        assert status < 500, (
            f"{request[1]} {request[2]} as {request[0]} answered {status}; "
            + (f"LMS_FUZZ_SEED={FUZZ_SEED}" if FUZZ_SEED else
               "derandomised: run this test again to reproduce it"))

    if FUZZ_SEED:
        no_server_error = seed(int(FUZZ_SEED))(no_server_error)
    no_server_error()
    print(f"\nfuzz on {kind}: {sent['inputs']} generated inputs in {sent['requests']} "
          f"requests; statuses {sorted(statuses.items())}")
    # Derandomised, the count is the same every run; it moves only when the routes change.
    assert sent["inputs"] >= wanted, "raise max_examples: fewer inputs than wanted were sent"
