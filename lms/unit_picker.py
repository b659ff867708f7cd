"""The commune picker of sign-up and settings: a province first, then one of its communes or
wards. It needs no JavaScript, and a page lists one province's communes at a time, so it stays
small with the national list (about 3,300 communes). Nothing is chosen for the person."""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from wtforms import SelectField, SubmitField
from wtforms.validators import InputRequired

from lms.campaign import units as org


def optional_id(value) -> int | None:
    """The id chosen, or None for the placeholder (or anything that is not an id)."""
    if value in (None, ""):
        return None
    try:
        number = int(str(value), 10)
    except ValueError:
        return None
    return number if 0 < number < 2 ** 31 else None


class UnitPickerMixin:
    province = SelectField(_l("Your province or city"), coerce=optional_id, validate_choice=False)
    org_unit = SelectField(_l("Your commune or ward"), coerce=optional_id, validate_choice=False,
                           validators=[InputRequired(_l("Choose your commune or ward."))],
                           description=_l("The managers of your commune or ward see your "
                                          "progress."))
    choose_province = SubmitField(_l("Show its communes and wards"))


def fill(form, session: Session, current_unit_id: int | None = None) -> None:
    """Sets the choices for the province chosen (or the one of the current unit). A commune
    that is not in the chosen province is dropped: the person chooses again."""
    unit = org.learner_unit(session, form.org_unit.data or current_unit_id)
    if form.province.data is None and unit is not None:
        form.province.data = unit.parent_id
    placeholder = ("", _("Choose…"))
    form.province.choices = [placeholder, *org.provinces_with_learner_units(session)]
    if len(form.province.choices) == 1:  # no communes at all yet: nothing to choose from
        form.org_unit.validators = ()
    communes = org.learner_units_in(session, form.province.data)
    form.org_unit.choices = [placeholder, *communes] if communes else []
    if form.org_unit.data not in {unit_id for unit_id, _name in communes}:
        form.org_unit.data = None


def only_choosing_province(form) -> bool:
    """The person pressed "show its communes": show the next step, judge nothing yet."""
    return bool(form.choose_province.data)
