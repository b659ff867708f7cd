"""The `flask` commands of trainers and operators, in the command's language (command_line.py)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms import config
from lms.catalog import current_catalog
from lms.command_line import (AppGroup, AtLeastOne, Choice, Command, CommandError, Day, File,
                              Folder, Group, _, ngettext)
from lms.content import load_catalog
from lms.content.imports import FORMATS, convert
from lms.extensions import db
from lms.campaign import reminders, snapshot, unit_import
from lms.issuing import public_url
from lms.services import access, accounts, audit, clock, read_aloud
from lms.wording import N_

# A plain group: checking files needs no app (see the entry point in pyproject.toml).
content_cli = Group("content", help=N_("Courses, quizzes and certificates: check them, import "
                                       "questions, record lessons read aloud."))
org_cli = AppGroup("org", help=N_("Organisation units: provinces, communes, wards, units."))
reports_cli = AppGroup("reports", help=N_("Campaign reports."))
reminders_cli = AppGroup("reminders", help=N_("Reminders of due dates, by SMS and email."))
users_cli = AppGroup("users", help=N_("People's roles."))


@users_cli.command("set-role", help=N_(
    "Give the account with this phone number or email a role: learner, helper, trainer, "
    "manager, organiser or admin. A helper, a manager and an organiser need the unit they "
    "are responsible for, e.g.\n\n    flask users set-role 0912345678 manager --unit HN-HK"))
@click.argument("identifier")
@click.argument("role", type=Choice(access.ROLES), metavar="ROLE")
@click.option("--unit", "unit_code",
              help=N_("Unit code a manager, organiser or helper is responsible for."))
def set_role(identifier: str, role: str, unit_code: str | None) -> None:
    try:
        user = accounts.find_account(db.session, accounts.parse_identifier(identifier))
    except accounts.AccountError:
        user = None
    if user is None:
        raise CommandError(_('no account has the phone number or email "%(identifier)s"',
                             identifier=identifier))
    try:
        access.grant_role(db.session, user, role, unit_code, audit.Actor.command_line())
    except access.RoleError as error:
        raise CommandError(error.message(_)) from None
    db.session.commit()
    click.echo(_("%(name)s is now %(role)s of %(unit)s.", name=user.full_name, role=role,
                 unit=unit_code) if unit_code
               else _("%(name)s is now %(role)s.", name=user.full_name, role=role))


@reports_cli.command("refresh", help=N_(
    "Recount the reporting snapshot that dashboards read (run it every few minutes)."))
def refresh_reports() -> None:
    made = snapshot.refresh(db.session, clock.today())
    db.session.commit()
    click.echo(_("reporting snapshot refreshed in %(seconds).2f s", seconds=made.seconds))


@reminders_cli.command("send", help=N_(
    "Add the reminders due today and send them: run it from cron, e.g. every 15 minutes. Safe "
    "on several hosts at once: nothing is ever sent twice."))
@click.option("--dry-run", is_flag=True,
              help=N_("Say what would be sent; write and send nothing."))
@click.option("--limit", type=AtLeastOne(), help=N_("Try at most this many messages in this run."))
def send_reminders(dry_run: bool, limit: int | None) -> None:
    summary = reminders.send_due(db.session, current_catalog(), clock.now, public_url(),
                                 limit=limit, dry_run=dry_run)
    skipped = summary.skipped
    click.echo(_("reminders: %(filled)d new, %(sent)d sent, %(failed)d failed, "
                 "%(skipped)d skipped", filled=summary.filled, sent=summary.sent,
                 failed=summary.failed, skipped=sum(skipped.values())))
    if skipped:
        click.echo(_("skipped: %(opted_out)d turned off by the person, %(no_contact)d without "
                     "a confirmed phone number or email, %(finished)d already done, "
                     "%(outdated)d no longer due", opted_out=skipped["opted-out"],
                     no_contact=skipped["no-contact"], finished=skipped["finished"],
                     outdated=skipped["outdated"]))
    if summary.given_up:
        click.echo(_("%(count)d given up after 5 tries", count=summary.given_up))
    if summary.unknown:
        click.echo(_("%(count)d perhaps sent (a run stopped while sending them): they are not "
                     "sent again", count=summary.unknown))
    if summary.outside_hours:
        click.echo(_("outside sending hours (07:00 to 21:00 in Vietnam): nothing is sent now; "
                     "the reminders wait until 07:00"))
    if dry_run:
        click.echo(_("dry run: %(count)d would be sent; nothing was written or sent",
                     count=summary.would_send))


@content_cli.command("check", help=N_(
    "Print every problem as path:line: message; exit 1 if there are errors."))
@click.option("--strict", is_flag=True,
              help=N_("Fail on warnings too (e.g. missing translations)."))
@click.option("--path", "content_dir", type=Folder(),
              help=N_("Folder holding courses/, quizzes/ and certificates/ (default: "
                      "LMS_CONTENT_DIR)."))
def check_content(strict: bool, content_dir: str | None) -> None:
    catalog = load_catalog(content_dir or config.content_dir())
    for problem in catalog.problems:
        click.echo(problem.located(_))
    for slug in sorted(catalog.withheld):
        click.echo(_("courses/%(slug)s: this course has errors: learners can read it, but its "
                     "quiz and certificate wait until they are fixed", slug=slug))
    errors, warnings = len(catalog.errors), len(catalog.warnings)
    lessons = sum(len(course.lessons) for course in catalog.courses)
    click.echo(_("%(courses)d courses, %(lessons)d lessons, %(quizzes)d quizzes, %(programs)d "
                 "programs: %(errors)d errors, %(warnings)d warnings",
                 courses=len(catalog.courses), lessons=lessons,
                 quizzes=sum(1 for c in catalog.courses if c.quiz),
                 programs=len(catalog.programs), errors=errors, warnings=warnings))
    if errors or (strict and warnings):
        raise SystemExit(1)


@content_cli.command("audio", help=N_(
    "Record every lesson and quiz question read aloud (espeak-ng, Opus), for phones without a "
    "voice; run it again after editing: only changed paragraphs and options are spoken again."))
@click.option("--course", "slugs", multiple=True, help=N_("Only this course (repeatable)."))
@with_appcontext
def make_audio(slugs: tuple[str, ...]) -> None:
    catalog = current_catalog()
    unknown = [slug for slug in slugs if slug not in {c.slug for c in catalog.courses}]
    if unknown:
        raise CommandError(_("There is no course %(slugs)s.", slugs=", ".join(unknown)))
    folder = Path(current_app.config["LMS_AUDIO_DIR"])
    for course in catalog.courses:
        if slugs and course.slug not in slugs:
            continue
        try:
            made = read_aloud.make_course_audio(course, folder)
            quiz = read_aloud.make_quiz_audio(course, folder) if course.quiz else []
        except read_aloud.AudioToolsMissing:
            raise CommandError(_("espeak-ng and opusenc are needed: apt-get install espeak-ng "
                                 "opus-tools")) from None
        for lesson in made:
            click.echo(_("%(course)s/%(lesson)s (%(language)s): %(files)d paragraphs, %(made)d "
                         "new, %(size).0f KiB", course=lesson.course, lesson=lesson.lesson,
                         language=lesson.language, files=lesson.files, made=lesson.made,
                         size=lesson.total_bytes / 1024))
        for questions in quiz:
            click.echo(_("%(course)s/quiz (%(language)s): %(questions)d questions, %(files)d "
                         "clips, %(made)d new, %(size).0f KiB", course=questions.course,
                         language=questions.language, questions=questions.questions,
                         files=questions.files, made=questions.made,
                         size=questions.total_bytes / 1024))


@content_cli.command("import", help=N_(
    "Turn a GIFT, Aiken or Moodle XML question file into a quiz file, e.g.\n\n"
    "    flask content import bank.xml --course data-security -o quizzes/data-security.md\n\n"
    "What cannot be converted is printed as file:line: message; the exit status is 1 if any "
    "question was left out. An existing file is never overwritten."))
@click.argument("source", type=File(must_exist=True))
@click.option("--course", help=N_("The course's slug (its folder name under courses/)."))
@click.option("--lesson", help=N_("Name this lesson in every question: {lesson=slug}."))
@click.option("--format", "source_format", type=Choice(FORMATS),
              help=N_("The file's format (default: told from its name and content)."))
@click.option("-o", "--output", type=File(),
              help=N_("Write the quiz here (default: print it)."))
def import_questions(source: Path, course, lesson, source_format, output: Path | None) -> None:
    if output and output.exists():
        raise CommandError(_("%(path)s already exists: choose another -o or remove it.",
                             path=output))
    result = convert(str(source), source.read_bytes(), course, lesson, source_format,
                     str(output) if output else None)
    for problem in result.problems:
        click.echo(problem.located(_), err=True)
    if result.markdown is None:
        raise SystemExit(1)
    if output:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(result.markdown, encoding="utf-8")
        click.echo(ngettext("%(num)d question written to %(path)s",
                            "%(num)d questions written to %(path)s", result.converted,
                            path=output), err=True)
    else:
        click.echo(result.markdown, nl=False)
    if result.errors:
        raise SystemExit(1)


@org_cli.command("import", help=N_(
    "Add the units of a code,name,parent_code,kind file; rename units whose name changed.\n\n"
    "The whole file is checked first: if any row is wrong, every problem is printed with its "
    "row and column, and nothing is written. Importing the same file again changes nothing."))
@click.argument("csv_file", type=File(must_exist=True))
@click.option("--dry-run", is_flag=True,
              help=N_("Check the file and say what would change; write nothing."))
def import_units(csv_file: Path, dry_run: bool) -> None:
    rows, problems = unit_import.read_units_csv(csv_file.read_bytes())
    plan = unit_import.plan_unit_import(db.session, rows) if not problems else None
    problems = problems or list(plan.problems)
    for problem in problems:
        click.echo(f"{csv_file}: {problem.located(_)}", err=True)
    if problems:
        click.echo(ngettext("%(num)d problem: nothing was imported.",
                            "%(num)d problems: nothing was imported.", len(problems)), err=True)
        raise SystemExit(1)
    if dry_run:
        summary = unit_import.UnitImportSummary(len(plan.to_add), plan.to_rename, plan.unchanged)
    else:
        summary = unit_import.apply_unit_import(db.session, plan, audit.Actor.command_line())
        db.session.commit()
    for rename in summary.renamed:
        click.echo(_('renamed %(code)s: "%(old)s" → "%(new)s"', code=rename.code,
                     old=rename.old_name, new=rename.new_name))
    counts = _("%(added)d added, %(renamed)d renamed, %(unchanged)d unchanged",
               added=summary.added, renamed=len(summary.renamed), unchanged=summary.unchanged)
    if summary.counted:
        counts += _(", %(counted)d expected counts updated", counted=summary.counted)
    click.echo(_("%(counts)s (dry run: nothing written)", counts=counts) if dry_run else counts)


@click.command("audit", cls=Command, help=N_(
    "Print the audit trail, newest first: when (Vietnam time), who, what, whom, from where."))
@click.option("--action", type=Choice(audit.ACTIONS), metavar="ACTION",
              help=N_("Only this kind of action, by its name, e.g. role-granted (a wrong "
                      "name lists them all)."))
@click.option("--person", help=N_("Part of the name of who acted or whom it was about."))
@click.option("--since", type=Day(), help=N_("From this day (Vietnam)."))
@click.option("--until", type=Day(), help=N_("To this day (Vietnam)."))
@click.option("--limit", type=AtLeastOne(), default=100, show_default=True,
              help=N_("At most this many entries."))
@with_appcontext
def audit_command(action, person, since, until, limit) -> None:
    wanted = audit.AuditFilter(action=action, person=person,
                               since=since.date() if since else None,
                               until=until.date() if until else None)
    for entry in audit.entries(db.session, "", wanted, limit=limit):
        when = clock.aware(entry.at).astimezone(clock.VIETNAM).strftime("%Y-%m-%d %H:%M")
        whom = f" {entry.subject_name} (#{entry.subject_user_id})" if entry.subject_user_id else ""
        click.echo(f"{when} {audit.actor_name(entry, _)} [{entry.address or '-'}] "
                   f"{_(audit.ACTION_WORDS.get(entry.action, entry.action))} ({entry.action})"
                   f"{whom} {audit.details_text(entry)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_command)
    app.cli.add_command(content_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(users_cli)
