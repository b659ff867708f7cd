"""Sign-up and settings keep people in their own commune: no default, a province step then a
commune step without JavaScript, light with the national list, all errors at once."""
import re

from sqlalchemy import select

from lms.extensions import db
from lms.models import OrgUnit, User
from lms.campaign import units as org
from tests.conftest import PASSWORD
from tests.test_staff_import import CSV, confirm, signed_in, upload

PAGE_BUDGET = 40 * 1024


def unit(app, code):
    with app.app_context():
        return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def test_the_sign_up_page_chooses_no_commune_for_the_person(client):
    page = client.get("/register").get_data(as_text=True)
    assert '<option selected value="">' in page  # the province's placeholder
    assert 'name="org_unit"' not in page  # communes come once a province is chosen


def test_the_province_step_lists_its_communes_and_keeps_what_was_typed(app, client):
    client.get("/language/en")
    hanoi = unit(app, "HN")
    page = client.post("/register", data={"identifier": "0912345678", "full_name": "Bà Năm",
                                          "password": PASSWORD, "province": hanoi.id,
                                          "choose_province": "y"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Phường Hoàn Kiếm" in text and "Xã Mường Phăng" not in text
    assert 'value="0912345678"' in text and 'value="Bà Năm"' in text
    assert PASSWORD not in text  # passwords are never sent back
    assert 'class="error"' not in text  # nothing is judged at this step
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_skipping_the_commune_is_refused_and_every_problem_shows_at_once(app, client):
    client.get("/language/en")
    page = client.post("/register", data={"identifier": "0123", "full_name": " ",
                                          "password": "P@ssw0rd", "birth_year": "1960"})
    text = page.get_data(as_text=True)
    for message in ("Enter a Vietnamese mobile number", "Please fill this in.",
                    "Choose your commune or ward.", "on the lists that attackers try first"):
        assert message in text, message
    assert 'value="0123"' in text and 'value="1960"' in text
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_a_province_or_a_commune_of_another_province_is_not_a_commune(app, client):
    client.get("/language/en")
    for crafted in (unit(app, "HN").id, "abc", "99999999999"):
        page = client.post("/register", data={"identifier": "0912345678", "full_name": "An",
                                              "password": PASSWORD, "org_unit": crafted})
        assert page.status_code == 200 and "Choose your commune or ward." in page.get_data(
            as_text=True)
    page = client.post("/register", data={"identifier": "0912345678", "full_name": "An",
                                          "password": PASSWORD, "province": unit(app, "DB").id,
                                          "org_unit": unit(app, "HN-HK").id})
    assert "Choose your commune or ward." in page.get_data(as_text=True)


def test_sign_up_stays_under_40_kib_with_the_national_list(app, client):
    with app.app_context():  # 34 provinces and 3,300 communes, through the import service
        rows = []
        for p in range(34):
            rows.append({"code": f"P{p}", "name": f"Tỉnh số {p} có tên khá dài",
                         "parent_code": "", "kind": "province"})
            rows += [{"code": f"P{p}-C{c}", "name": f"Xã Một Cái Tên Dài Số {p}-{c}",
                      "parent_code": f"P{p}", "kind": "commune"} for c in range(97)]
        org.add_units(db.session, rows)
        db.session.commit()
        biggest = db.session.scalar(select(OrgUnit.id).where(OrgUnit.code == "P7"))
    first = client.get("/register")
    second = client.post("/register", data={"province": biggest, "choose_province": "y"})
    css = client.get("/static/style.css")
    sizes = [len(first.data), len(second.data)]
    print(f"sign-up page: {sizes[0]} bytes, commune step: {sizes[1]} bytes, css {len(css.data)}")
    assert max(sizes) + len(css.data) < PAGE_BUDGET
    assert len(re.findall(r"<option ", second.get_data(as_text=True))) > 97 + 34
    css.close()


def test_saving_settings_never_moves_an_imported_civil_servant(app):
    organiser = signed_in(app, "organiser", "HN")
    confirm(organiser, upload(organiser, CSV.encode()))
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        person.password_hash = "!"  # activated below through the real form
        db.session.commit()
    from tests.test_recovery import printed_code
    code = printed_code(organiser.post(
        f"/staff/people/{db_id(app, '+84912345678')}/code"))
    client = app.test_client()
    client.get("/language/en")
    assert client.post("/activate", data={"identifier": "0912345678", "code": code,
                                          "password": PASSWORD}).status_code == 302
    page = client.get("/me/settings").get_data(as_text=True)
    assert "manager can change it" in page and 'name="profile-org_unit"' \
        not in page
    response = client.post("/me/settings/profile", data={
        "profile-full_name": "Nguyễn Văn An", "profile-org_unit": unit(app, "DB-MP").id})
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalar(select(User).where(User.phone == "+84912345678"))
        assert person.org_unit.code == "HN-HK"


def db_id(app, phone):
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.phone == phone))


def test_a_citizen_changes_commune_in_two_steps(app, learners):
    client = learners.register()
    step = client.post("/me/settings/profile", data={"profile-full_name": "Dung",
                                                     "profile-province": unit(app, "DB").id,
                                                     "profile-choose_province": "y"})
    assert "Xã Mường Phăng" in step.get_data(as_text=True)
    response = client.post("/me/settings/profile", data={
        "profile-full_name": "Dung", "profile-province": unit(app, "DB").id,
        "profile-org_unit": unit(app, "DB-MP").id})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(User)).org_unit.code == "DB-MP"


def test_a_settings_error_keeps_the_other_values(app, learners):
    client = learners.register()
    client.get("/language/en")
    page = client.post("/me/settings/profile", data={"profile-full_name": "  ",
                                                     "profile-org_unit": "x"})
    text = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "Please fill this in." in text and "Choose your commune or ward." in text
