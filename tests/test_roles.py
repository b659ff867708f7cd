"""Granting roles from the command line: how a deployment gets its first administrator."""
from lms.extensions import db
from lms.models import User


def role_of(app, phone="+84912345678"):
    with app.app_context():
        user = db.session.query(User).filter_by(phone=phone).one()
        return user.role, user.scope_unit.code if user.scope_unit else None


def test_an_administrator_is_made_from_the_command_line(app, runner, learners):
    client = learners.register(identifier="0912345678")
    assert client.get("/admin/content/").status_code == 403
    result = runner.invoke(args=["users", "set-role", "0912 345 678", "admin"])
    assert result.exit_code == 0 and "is now admin" in result.output
    assert client.get("/admin/content/").status_code == 200


def test_a_manager_gets_the_unit_they_are_responsible_for(app, runner, learners):
    learners.register(identifier="0912345678")
    result = runner.invoke(args=["users", "set-role", "0912345678", "manager", "--unit", "HN-HK"])
    assert result.exit_code == 0
    assert role_of(app) == ("manager", "HN-HK")
    runner.invoke(args=["users", "set-role", "0912345678", "learner"])
    assert role_of(app) == ("learner", None)


def test_bad_role_requests_say_why_and_change_nothing(app, runner, learners):
    learners.register(identifier="0912345678")
    cases = [
        (["0912345678", "manager"], "needs the code of the unit"),
        (["0912345678", "organiser", "--unit", "NOPE"], "no unit with the code NOPE"),
        (["0912345678", "trainer", "--unit", "HN"], "not responsible for a unit"),
        (["0999999999", "admin"], "no account has the phone number or email"),
        (["0912345678", "king"], "Invalid value"),
    ]
    for arguments, message in cases:
        result = runner.invoke(args=["users", "set-role", *arguments])
        assert result.exit_code != 0 and message in result.output, result.output
    assert role_of(app) == ("learner", None)
