"""What each account error means to the person filling in a form (sign-up, sign-in, settings),
and the words of the codes we send them (and sending them)."""
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms import messaging

# What each AccountError code means to the person filling in the form.
ACCOUNT_ERRORS = {
    "bad-email": _l("This email address does not look right. Check it and try again."),
    "bad-phone": _l("Enter a Vietnamese mobile number (for example 0912 345 678) or an email address."),
    "taken": _l("An account with this phone number or email already exists. Sign in instead."),
    "too-short": _l("Use at least 8 characters. A short sentence you can remember works well."),
    "too-long": _l("Use at most 128 characters."),
    "too-common": _l("This password is on the lists that attackers try first (common "
                     "passwords, or a common word with a few digits or symbols). Choose "
                     "another one: a short sentence of your own works well."),
    "repetitive": _l("This password repeats a character or follows a simple sequence "
                     "(like 12345678 or abcabcabc), so it is easy to guess. Choose another one."),
    "contains-phone": _l("The password must not contain your phone number: it is the first "
                         "thing someone who knows you would try."),
    "contains-email": _l("The password must not contain your email address: it is the first "
                         "thing someone who knows you would try."),
    "required": _l("Please fill this in."),
    "choose-unit": _l("Choose your commune or ward."),
    "wrong": _l("The password is not correct."),
    "wrong-code": _l("The code is not correct, or it has expired or been used. Check it, or "
                     "ask for a new one."),
}


def code_message(purpose: str, code: str) -> tuple[str, str]:
    """The subject and text of a message carrying a code, in the page's language. Short, to
    fit one SMS; it says what the code is for and never to give it to anyone."""
    if purpose == "reset":
        subject = _("Your code to choose a new password")
        text = _("lms: %(code)s is your code to choose a new password. It works for 15 "
                 "minutes. Never give it to anyone, not even someone who calls from lms.",
                 code=code)
    else:
        subject = _("Your confirmation code")
        text = _("lms: %(code)s is your confirmation code. It works for 15 minutes. Never "
                 "give it to anyone, not even someone who calls from lms.", code=code)
    return subject, text


def send_code(issued, purpose: str) -> bool:
    """Sends a code (recovery.IssuedCode) by SMS or email; False (and logged) when the backend
    failed."""
    subject, text = code_message(purpose, issued.code)
    try:
        messaging.send(issued.target, subject, text, kind=f"{purpose}-code")
    except messaging.SendError as error:
        current_app.logger.error("could not send a %s code: %s", purpose, error)
        return False
    return True
