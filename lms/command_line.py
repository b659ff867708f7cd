"""The language of the `flask` commands: which one (Vietnamese unless the shell asks for English),
its words (the web's catalog), and Click commands whose help, usage and errors speak it.

Click reads a command's help when the command is defined, before anyone has said which language
they read, and words its own parts (Usage, Options, "Missing argument") through the process-wide
gettext. So help texts are written as English message ids (marked with N_) and put into words
here when the help is shown; Click's own words are replaced by ours where the help and the usage
errors are written.
"""
from __future__ import annotations

import copy
import os
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import click
from babel.support import NullTranslations, Translations
from flask.cli import AppGroup as FlaskAppGroup

from lms.wording import N_

TRANSLATIONS = Path(__file__).parent / "translations"
HELP_OPTION = N_("Show this message and exit.")


def command_language() -> str:
    """LMS_LANGUAGE (vi, en) if set; else the shell's message locale (LC_ALL, LC_MESSAGES, LANG,
    the first one set): English if it is English (en, en_US.UTF-8...), Vietnamese otherwise,
    so a fresh server (C.UTF-8) or a trainer's Windows shell (none) speaks Vietnamese."""
    chosen = os.environ.get("LMS_LANGUAGE", "").strip().lower()
    if chosen in ("vi", "en"):
        return chosen
    locale = next((os.environ[name] for name in ("LC_ALL", "LC_MESSAGES", "LANG")
                   if os.environ.get(name)), "")
    return "en" if locale.lower().startswith("en") else "vi"


@lru_cache(maxsize=4)
def _catalog(language: str) -> NullTranslations:
    # The web's catalog (Flask-Babel's .mo files), read directly: `flask content check` runs
    # without an app, and a command has no request to choose a language from.
    return Translations.load(str(TRANSLATIONS), [language]) if language == "vi" \
        else NullTranslations()


def _(message: str, /, **values) -> str:
    text = _catalog(command_language()).gettext(message)
    return text % values if values else text


def pgettext(context: str, message: str) -> str:
    return _catalog(command_language()).pgettext(context, message)


def ngettext(singular: str, plural: str, num: int, /, **values) -> str:
    text = _catalog(command_language()).ngettext(singular, plural, num)
    return text % {"num": num, **values}


# --- errors -----------------------------------------------------------------------------------

class CommandError(click.ClickException):
    """What went wrong, already in the command's language, shown after "Lỗi:" (Click would
    write its English "Error:")."""

    def show(self, file=None) -> None:
        click.echo(_("Error: %(message)s", message=self.format_message()), file=file, err=True)


class UsageError(click.UsageError):
    """A command typed wrongly: its usage, where to find help, and what was wrong."""

    def show(self, file=None) -> None:
        if self.ctx is not None:
            hint = _("Try “%(command)s --help” for help.", command=self.ctx.command_path)
            click.echo(f"{self.ctx.get_usage()}\n{hint}\n", file=file, err=True)
        click.echo(_("Error: %(message)s", message=self.format_message()), file=file, err=True)


def _option_takes_no_value(ctx: click.Context, name: str) -> bool:
    return any(name in param.opts and getattr(param, "is_flag", False)
               for param in ctx.command.get_params(ctx))


def _usage_message(error: click.UsageError, ctx: click.Context) -> str:
    """Click's message for a usage error, in the command's language (Click's own is English)."""
    if isinstance(error, click.MissingParameter) and error.param is not None:
        name = error.param.get_error_hint(ctx)
        text = (_("Missing argument %(name)s.", name=name)
                if error.param.param_type_name == "argument"
                else _("Missing option %(name)s.", name=name))
        extra = error.param.type.get_missing_message(param=error.param, ctx=ctx)
        return f"{text} {extra}" if extra else text
    if isinstance(error, click.BadParameter) and error.param is not None:
        return _("Invalid value for %(name)s: %(message)s",
                 name=error.param.get_error_hint(ctx), message=error.message)
    if isinstance(error, click.NoSuchOption):
        text = _("There is no option %(name)s.", name=error.option_name)
    elif isinstance(error, click.NoSuchCommand):
        text = _("There is no command “%(name)s”.", name=error.command_name)
    elif isinstance(error, click.BadOptionUsage):
        return (_("The option %(name)s takes no value.", name=error.option_name)
                if _option_takes_no_value(ctx, error.option_name)
                else _("The option %(name)s needs a value.", name=error.option_name))
    else:
        return error.format_message()
    possible = getattr(error, "possibilities", None)
    if possible:
        text += " " + _("Did you mean %(names)s?", names=", ".join(possible))
    return text


@contextmanager
def _usage_errors_in_words(ctx: click.Context):
    try:
        yield
    except (UsageError, click.exceptions.NoArgsIsHelpError):
        raise  # ours already, or the help itself (shown for a group typed alone)
    except click.UsageError as error:
        # The option parser's errors come without the context: the command's is the same.
        raise UsageError(_usage_message(error, error.ctx or ctx), error.ctx or ctx) from None


# --- what a value must be ---------------------------------------------------------------------

class Choice(click.Choice):
    def get_invalid_choice_message(self, value, ctx) -> str:
        return _("“%(value)s” is not one of %(choices)s.", value=value,
                 choices=", ".join(self.choices))

    def get_missing_message(self, param, ctx) -> str:
        return _("Choose one of %(choices)s.", choices=", ".join(self.choices))


class File(click.Path):
    """A file that must be there (must_exist) or may be written (not a folder)."""

    def __init__(self, must_exist: bool = False):
        super().__init__(exists=must_exist, dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if os.path.isdir(value):
            self.fail(_("%(path)s is a folder, not a file.", path=value), param, ctx)
        if self.exists and not os.path.exists(value):
            self.fail(_("There is no file %(path)s.", path=value), param, ctx)
        return super().convert(value, param, ctx)


class Folder(click.Path):
    def __init__(self):
        super().__init__(file_okay=False)

    def convert(self, value, param, ctx):
        if os.path.isfile(value):
            self.fail(_("%(path)s is a file, not a folder.", path=value), param, ctx)
        return super().convert(value, param, ctx)


class _RefusedInWords:
    """A Click type that refuses a value in words of ours (Click's own are English)."""
    metavar: str
    refusal: str  # marked with N_, filled with the value

    def get_metavar(self, param, ctx) -> str:
        return self.metavar

    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(_(self.refusal, value=value), param, ctx)


class Day(_RefusedInWords, click.DateTime):
    metavar = "YYYY-MM-DD"
    refusal = N_("“%(value)s” is not a day: write it as year-month-day, e.g. 2026-12-01.")

    def __init__(self):
        super().__init__(["%Y-%m-%d"])


class AtLeastOne(_RefusedInWords, click.IntRange):
    metavar = "N"
    refusal = N_("“%(value)s” is not a whole number of 1 or more.")

    def __init__(self):
        super().__init__(min=1)


# --- commands ---------------------------------------------------------------------------------

def _help_row(param: click.Parameter, ctx: click.Context) -> tuple[str, str] | None:
    """An option's line in the help: its names, and its help with Click's notes, in words."""
    record = param.get_help_record(ctx)
    if record is None:
        return None
    words = [_(param.help)] if getattr(param, "help", None) else []
    extra = param.get_help_extra(ctx) if isinstance(param, click.Option) else {}
    notes = [_("default: %(value)s", value=extra["default"])] if "default" in extra else []
    notes += [extra["range"]] if "range" in extra else []
    notes += [_("required")] if "required" in extra else []
    if notes:
        words.append(f"[{'; '.join(notes)}]")
    return record[0], "  ".join(words)


class _Spoken:
    """Help, usage and usage errors in the command's language (see the module's docstring)."""

    def format_usage(self, ctx, formatter) -> None:
        formatter.write_usage(ctx.command_path, " ".join(self.collect_usage_pieces(ctx)),
                              prefix=_("Usage:") + " ")

    def format_help_text(self, ctx, formatter) -> None:
        if self.help:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(_(self.help))

    def format_options(self, ctx, formatter) -> None:
        rows = [row for param in self.get_params(ctx) if (row := _help_row(param, ctx))]
        if rows:
            with formatter.section(pgettext("command line", "Options")):  # not a quiz's
                formatter.write_dl(rows)

    def get_short_help_str(self, limit: int = 45) -> str:
        # Click shortens the help a command holds: a copy holds it in the command's language.
        # (Click's shortening function itself is deprecated since 8.5.)
        spoken = copy.copy(self)
        spoken.short_help = _(self.short_help) if self.short_help else None
        spoken.help = _(self.help) if self.help else None
        return super(_Spoken, spoken).get_short_help_str(limit)

    def get_help_option(self, ctx):
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_OPTION  # Click's text comes through its own, English, gettext
        return option

    def parse_args(self, ctx, args):
        with _usage_errors_in_words(ctx):
            return super().parse_args(ctx, args)


class Command(_Spoken, click.Command):
    def __init__(self, *args, **kwargs):
        # Extra arguments are kept so that they are refused below in words, not Click's.
        kwargs["context_settings"] = {"allow_extra_args": True,
                                      **(kwargs.get("context_settings") or {})}
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx, args):
        rest = super().parse_args(ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            raise UsageError(_("Unexpected extra argument: %(arguments)s",
                               arguments=" ".join(ctx.args)), ctx)
        return rest


class _SpokenGroup(_Spoken):
    command_class = Command

    def format_options(self, ctx, formatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx, formatter) -> None:
        commands = [(name, self.get_command(ctx, name)) for name in self.list_commands(ctx)]
        commands = [(name, command) for name, command in commands
                    if command is not None and not command.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _command in commands)
            with formatter.section(_("Commands")):
                formatter.write_dl([(name, command.get_short_help_str(limit))
                                    for name, command in commands])

    def resolve_command(self, ctx, args):
        with _usage_errors_in_words(ctx):
            return super().resolve_command(ctx, args)


class Group(_SpokenGroup, click.Group):
    """A group of commands that need no app (e.g. `flask content check`)."""


class AppGroup(_SpokenGroup, FlaskAppGroup):
    """A group whose commands run in the app's context (Flask's AppGroup)."""
