"""The staff import forms, and what each import problem means in the manager's words."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SearchField
from wtforms.validators import Length

from lms.campaign.staff_import import RowProblem
from lms.campaign.staff_sheet import MAX_FILE_BYTES, MAX_ROWS, Column, StaffFileError

ACCEPTED_TYPES = (".csv,.xlsx,text/csv,"
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

FIELD_NAMES = {
    "full_name": _l("full name"),
    "identifier": _l("phone or email"),
    "unit_code": _l("unit code"),
    "position": _l("position"),
    "staff_number": _l("staff number"),
}

FILE_ERRORS = {
    "too-big": _l("The file is larger than %(megabytes)d MB. Split it into smaller files."),
    "empty": _l("The file is empty."),
    "old-excel": _l("This is an old Excel file (.xls). In Excel, choose File → Save As → "
                    "Excel Workbook (.xlsx) or CSV UTF-8, then upload that file."),
    "not-a-table": _l("This file is not a CSV or Excel (.xlsx) table. Upload the staff list "
                      "saved as .xlsx or as CSV UTF-8."),
    "not-utf8": _l("The text in this CSV file is not in UTF-8, so Vietnamese letters would be "
                   "garbled. In Excel, choose File → Save As → CSV UTF-8, then upload it again."),
    "bad-xlsx": _l("This Excel file cannot be read: it may be damaged or protected by a "
                   "password. Open it in Excel, save it again as .xlsx, then upload it."),
    "no-header": _l("No header row found. The first row must name the columns: full name, "
                    "phone or email, unit code, position."),
    "missing-columns": _l("Row %(row)d has no column for: %(fields)s. The columns needed are "
                          "full name, phone or email, unit code, position."),
    "same-column-twice": _l("Row %(row)d has two columns that mean the same thing "
                            "(“%(column)s”). Keep only one."),
    "no-rows": _l("The file has a header but no people in it."),
    "too-many-rows": _l("The file has more than %(limit)d people. Split it into smaller "
                        "files and import them one after the other."),
    "too-many-blank-rows": _l("The sheet runs to more than %(limit)d rows, most of them "
                              "empty. Copy only the staff list into a new sheet, save it as "
                              ".xlsx or as CSV UTF-8, then upload that file."),
    "unpacks-too-big": _l("This Excel file unpacks into more than %(megabytes)d MB, far more "
                          "than a staff list needs: it may be damaged, or made to overload the "
                          "server. Copy only the staff list into a new workbook, save it as "
                          ".xlsx or as CSV UTF-8, then upload that file."),
}

ROW_ERRORS = {
    "empty-name": _l("the name is empty."),
    "too-long": _l("this is longer than %(limit)d characters."),
    "empty-unit": _l("the unit code is empty."),
    "unknown-unit": _l("there is no unit with the code “%(code)s”."),
    "unit-out-of-scope": _l("the unit “%(code)s” is not one of the units you manage."),
    "empty-identifier": _l("the phone number or email is empty."),
    "bad-phone": _l("this is not a Vietnamese mobile number (for example 0912 345 678) "
                    "or an email address."),
    "bad-email": _l("this email address does not look right."),
    "duplicate": _l("the same person is already on row %(row)d."),
    "person-out-of-scope": _l("this person already has an account in a unit you do not "
                              "manage. Ask your organiser to move them."),
    "person-above-your-role": _l("this person holds a role at or above yours; only an "
                                 "administrator can change their unit or position."),
}

CHANGES = {
    "unit": _l("unit"),
    "position": _l("position"),
    "staff_number": _l("staff number"),
    "audience": _l("counted as a civil servant"),
    "code": _l("new activation code"),
    "takeover": _l("whoever signed up with this number loses the account"),
}

CONFLICTS = {
    "name-differs": _l("The account with this phone number or email is named “%(name)s”, "
                       "not “%(row_name)s”."),
    "unproven": _l("Someone signed up with this phone number or email and never proved it "
                   "is theirs: it may not be this person. If you update it, the account "
                   "gets a new activation code for the person on your list, and whoever "
                   "signed up loses it."),
}


def conflict_message(row) -> str:
    return " ".join(str(CONFLICTS[name]) % {"name": row.account_name,
                                             "row_name": row.source.full_name}
                    for name in row.conflicts)


def file_error_message(error: StaffFileError) -> str:
    detail = dict(error.detail)
    if "fields" in detail:
        detail["fields"] = ", ".join(str(FIELD_NAMES[name]) for name in detail["fields"])
    return FILE_ERRORS[error.code] % detail


def row_problem_message(row: int, column: Column, problem: RowProblem) -> str:
    """ "Row 5, column B (Số điện thoại): the same person is already on row 3." """
    where = _l("Row %(row)d, column %(letter)s (%(header)s):", row=row, letter=column.letter,
               header=column.header)
    return f"{where} {ROW_ERRORS[problem.code] % problem.detail}"


def changes_message(changes: tuple[str, ...]) -> str:
    return ", ".join(str(CHANGES[name]) for name in changes)


class ImportForm(FlaskForm):
    file = FileField(_l("Staff list (Excel .xlsx or CSV)"),
                     validators=[FileRequired(_l("Choose the file to import."))],
                     description=_l("Columns: full name, phone or email, unit code, position, "
                                    "and if you have it, staff number. At most %(rows)d people and %(megabytes)d MB per file.",
                                    rows=MAX_ROWS, megabytes=MAX_FILE_BYTES // (1024 * 1024)),
                     render_kw={"accept": ACCEPTED_TYPES})


class ConfirmForm(FlaskForm):
    sheet = HiddenField()
    digest = HiddenField()
    # Set by the "import the rows without problems" button, never rendered as a field.
    leave_out = BooleanField()


class SlipsForm(FlaskForm):
    """The codes just issued, sealed by the server, to draw as printable slips."""
    slips = HiddenField()


ASSIST_ERRORS = {
    "out-of-scope": _l("This person is not in one of the units you manage."),
    "above-your-role": _l("This person holds a role at or above yours: ask an administrator."),
    "card-only": _l("This person signs in with a learner card and has no phone or email: a "
                    "helper at a support point can give them a new card."),
}


class FindPersonForm(FlaskForm):
    q = SearchField(_l("Phone number, email or name"),
                    validators=[Length(max=200, message=_l("Use at most 200 characters."))],
                    render_kw={"autocomplete": "off", "autocapitalize": "off"})


class AssistForm(FlaskForm):
    """Only a button: the CSRF token is all it carries."""
