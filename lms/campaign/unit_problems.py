"""What can be wrong with a unit, whichever way it is typed (a row of a CSV file or the web form),
each rule with its code and its words: the one place for them, shown in the reader's language by
`flask org import` and by the units pages."""
from __future__ import annotations

from dataclasses import dataclass, field

from lms.wording import N_, Gettext, in_english

PROBLEMS = {
    # The file as a whole.
    "not-utf8": N_("The file is not UTF-8 text: save it as “CSV UTF-8” and try again."),
    "not-a-table": N_("The file is not a CSV table: save it as “CSV UTF-8” and try again."),
    "column-missing": N_("This column is missing: the first row must be "
                         "code,name,parent_code,kind."),
    # A unit's own fields.
    "code-empty": N_("Enter a code."),
    "code-long": N_("A code has at most %(length)s characters."),
    "code-slash": N_("A code cannot contain “/” or be only dots."),
    "name-empty": N_("Enter the unit's name."),
    "name-long": N_("A name has at most %(length)s characters."),
    "kind-empty": N_("Give the kind of unit, one of: %(kinds)s."),
    "kind-unknown": N_("“%(kind)s” is not a kind of unit: use one of %(kinds)s."),
    "own-parent": N_("A unit cannot be under itself."),
    "expected-number": N_("“%(value)s” is not a number of people: write a whole number such "
                          "as 4200, without dots or spaces, or leave it empty."),
    # A file's rows, against each other and against the units already there.
    "code-repeated": N_("The code %(code)s is already used on row %(first)s."),
    "parent-not-found": N_("Unknown parent code %(code)s: it is neither in this file nor "
                           "already imported."),
    "moved": N_("%(code)s already exists under %(parent)s: the import does not move units."),
    "moved-from-top": N_("%(code)s already exists at the top, under no unit: the import does "
                         "not move units."),
    "kind-changed": N_("%(code)s already exists as a %(kind)s: the import does not change "
                       "kinds."),
    "own-ancestor": N_("%(code)s is its own ancestor (%(loop)s)."),
    # The web form, which adds and moves units within the viewer's own.
    "code-taken": N_("The code %(code)s is already used by another unit."),
    "parent-needed": N_("Give the code of one of your units to put this unit under."),
    "parent-unknown": N_("No unit with the code %(code)s among the units you manage."),
    "move-own-scope": N_("Your own top unit cannot be moved; ask an administrator."),
    "move-inside": N_("%(code)s is inside this unit: a unit cannot move under itself."),
}


@dataclass(frozen=True)
class UnitProblem:
    row: int  # as a spreadsheet counts it (the header is row 1); 0 for the web form
    column: str | None  # the file's column, the form's field
    code: str  # a key of PROBLEMS
    params: dict = field(default_factory=dict)

    def message(self, gettext: Gettext = in_english) -> str:
        return gettext(PROBLEMS[self.code]) % self.params

    def located(self, gettext: Gettext = in_english) -> str:
        """The problem with its row and column, as `flask org import` prints it."""
        where = {"row": self.row, "column": self.column, "message": self.message(gettext)}
        if self.column:
            return gettext("row %(row)s, column “%(column)s”: %(message)s") % where
        return gettext("row %(row)s: %(message)s") % where

    def __str__(self) -> str:  # English, for logs and exceptions
        return self.located() if self.row else f"{self.column}: {self.message()}"
