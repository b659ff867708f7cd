"""`flask` commands for trainers and operators, speaking Vietnamese (English with LANG=en)."""
from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import click
from babel.support import NullTranslations, Translations
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from lms import config
from lms.catalog import current_catalog
from lms.content import load_catalog
from lms.content.imports import FORMATS, convert
from lms.extensions import db
from lms.campaign import snapshot, unit_import
from lms.services import access, accounts, audit, clock, read_aloud

TRANSLATIONS = Path(__file__).parent / "translations"


@lru_cache(maxsize=4)
def _catalog(language: str) -> NullTranslations:
    # The web's catalog (Flask-Babel's .mo files), read directly: `flask content check` runs
    # without an app, and a command has no request to choose a language from.
    return Translations.load(str(TRANSLATIONS), [language]) if language == "vi" \
        else NullTranslations()


def command_language() -> str:
    """Vietnamese, unless LANG asks for English (LANG=en, en_US.UTF-8...)."""
    return "en" if os.environ.get("LANG", "").lower().startswith("en") else "vi"


def _(message: str, **values) -> str:
    text = _catalog(command_language()).gettext(message)
    return text % values if values else text


def ngettext(singular: str, plural: str, num: int, **values) -> str:
    text = _catalog(command_language()).ngettext(singular, plural, num)
    return text % {"num": num, **values}


# A plain group: checking files needs no app (see the entry point in pyproject.toml).
content_cli = click.Group("content", help="Check the courses, quizzes and certificates.")
org_cli = AppGroup("org", help="Organisation units: provinces, communes, wards, units.")
reports_cli = AppGroup("reports", help="Campaign reports.")
users_cli = AppGroup("users", help="People's roles.")


@users_cli.command("set-role")
@click.argument("identifier")
@click.argument("role", type=click.Choice(access.ROLES))
@click.option("--unit", "unit_code",
              help="Unit code a manager, organiser or helper is responsible for.")
def set_role(identifier: str, role: str, unit_code: str | None) -> None:
    """Give the account with this phone number or email a role, e.g.

    flask users set-role 0912345678 manager --unit HN-HK
    """
    try:
        user = accounts.find_account(db.session, accounts.parse_identifier(identifier))
    except accounts.AccountError:
        user = None
    if user is None:
        raise click.ClickException(_('no account has the phone number or email "%(identifier)s"',
                                     identifier=identifier))
    try:
        access.grant_role(db.session, user, role, unit_code, audit.Actor.command_line())
    except access.RoleError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(_("%(name)s is now %(role)s of %(unit)s.", name=user.full_name, role=role,
                 unit=unit_code) if unit_code
               else _("%(name)s is now %(role)s.", name=user.full_name, role=role))


@reports_cli.command("refresh")
def refresh_reports() -> None:
    """Recount the reporting snapshot that dashboards read (run it every few minutes)."""
    made = snapshot.refresh(db.session, clock.today())
    db.session.commit()
    click.echo(_("reporting snapshot refreshed in %(seconds).2f s", seconds=made.seconds))


@content_cli.command("check")
@click.option("--strict", is_flag=True, help="Fail on warnings too (e.g. missing translations).")
@click.option("--path", "content_dir", type=click.Path(file_okay=False),
              help="Folder holding courses/, quizzes/ and certificates/ (default: LMS_CONTENT_DIR).")
def check_content(strict: bool, content_dir: str | None) -> None:
    """Print every problem as path:line: message; exit 1 if there are errors."""
    catalog = load_catalog(content_dir or config.content_dir())
    for problem in catalog.problems:
        click.echo(str(problem))
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


@content_cli.command("audio")
@click.option("--course", "slugs", multiple=True, help="Only this course (repeatable).")
@with_appcontext
def make_audio(slugs: tuple[str, ...]) -> None:
    """Record every lesson and quiz question read aloud (espeak-ng, Opus), for phones without a
    voice; run it again after editing: only changed paragraphs and options are spoken again."""
    catalog = current_catalog()
    unknown = [slug for slug in slugs if slug not in {c.slug for c in catalog.courses}]
    if unknown:
        raise click.ClickException(f"no course {', '.join(unknown)}")
    folder = Path(current_app.config["LMS_AUDIO_DIR"])
    for course in catalog.courses:
        if slugs and course.slug not in slugs:
            continue
        try:
            made = read_aloud.make_course_audio(course, folder)
            quiz = read_aloud.make_quiz_audio(course, folder) if course.quiz else []
        except read_aloud.AudioToolsMissing:
            raise click.ClickException(
                "espeak-ng and opusenc are needed: apt-get install espeak-ng opus-tools") from None
        for lesson in made:
            click.echo(f"{lesson.course}/{lesson.lesson} ({lesson.language}): {lesson.files} "
                       f"paragraphs, {lesson.made} new, {lesson.total_bytes / 1024:.0f} KiB")
        for questions in quiz:
            click.echo(f"{questions.course}/quiz ({questions.language}): {questions.questions} "
                       f"questions, {questions.files} clips, {questions.made} new, "
                       f"{questions.total_bytes / 1024:.0f} KiB")


@content_cli.command("import")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--course", help="The course's slug (its folder name under courses/).")
@click.option("--lesson", help="Name this lesson in every question: {lesson=slug}.")
@click.option("--format", "source_format", type=click.Choice(FORMATS),
              help="The file's format (default: told from its name and content).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the quiz here (default: print it).")
def import_questions(source: Path, course, lesson, source_format, output: Path | None) -> None:
    """Turn a GIFT, Aiken or Moodle XML question file into a quiz file, e.g.

    flask content import bank.xml --course data-security -o quizzes/data-security.md

    What cannot be converted is printed as file:line: message; the exit status is 1 if any
    question was left out. An existing file is never overwritten.
    """
    if output and output.exists():
        raise click.ClickException(_("%(path)s already exists: choose another -o or remove it.",
                                     path=output))
    result = convert(str(source), source.read_bytes(), course, lesson, source_format,
                     str(output) if output else None)
    for problem in result.problems:
        click.echo(str(problem), err=True)
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


@org_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and say what would change; "
                                              "write nothing.")
def import_units(csv_file: Path, dry_run: bool) -> None:
    """Add the units of a code,name,parent_code,kind file; rename units whose name changed.

    The whole file is checked first: if any row is wrong, every problem is printed with
    its row and column, and nothing is written. Importing the same file again changes nothing.
    """
    rows, problems = unit_import.read_units_csv(csv_file.read_bytes())
    plan = unit_import.plan_unit_import(db.session, rows) if not problems else None
    problems = problems or list(plan.problems)
    for problem in problems:
        click.echo(f"{csv_file}: {problem}", err=True)
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


@click.command("audit")
@click.option("--action", type=click.Choice(audit.ACTIONS), help="Only this kind of action.")
@click.option("--person", help="Part of the name of who acted or whom it was about.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="From this day (Vietnam).")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="To this day (Vietnam).")
@click.option("--limit", type=click.IntRange(1, None), default=100, show_default=True)
@with_appcontext
def audit_command(action, person, since, until, limit) -> None:
    """Print the audit trail, newest first: when (Vietnam time), who, what, whom, from where."""
    wanted = audit.AuditFilter(action=action, person=person,
                               since=since.date() if since else None,
                               until=until.date() if until else None)
    for entry in audit.entries(db.session, "", wanted, limit=limit):
        when = clock.aware(entry.at).astimezone(clock.VIETNAM).strftime("%Y-%m-%d %H:%M")
        whom = f" {entry.subject_name} (#{entry.subject_user_id})" if entry.subject_user_id else ""
        click.echo(f"{when} {entry.actor_name} [{entry.address or '-'}] {entry.action}{whom} "
                   f"{audit.details_text(entry)}")


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_command)
    app.cli.add_command(content_cli)
    app.cli.add_command(org_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(users_cli)
