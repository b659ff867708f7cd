"""Names of the report's categories and states, in the reader's language."""
from flask_babel import lazy_gettext as _l

AUDIENCE_LABELS = {"citizen": _l("Citizens"), "civil-servant": _l("Civil servants"),
                   "both": _l("Citizens and civil servants")}
AGE_LABELS = {"under-30": _l("Under 30"), "30-44": _l("30 to 44"), "45-59": _l("45 to 59"),
              "60-plus": _l("60 and over"), "unknown": _l("Age not given")}
STATE_LABELS = {"overdue": _l("Overdue"), "due-soon": _l("Due soon"), "on-time": _l("On time"),
                "done": _l("Done")}
KIND_LABELS = {"program": _l("Program"), "course": _l("Course")}
UNIT_KIND_LABELS = {"province": _l("Province or city"), "commune": _l("Commune"),
                    "ward": _l("Ward"), "special-zone": _l("Special zone"),
                    "unit": _l("Agency or office"), "group": _l("Residential group or village")}
REMINDER_RULE_LABELS = {"due-7": _l("a week before"), "due-1": _l("the day before"),
                        "overdue": _l("overdue")}
CHANNEL_LABELS = {"sms": _l("SMS"), "email": _l("Email")}
REMINDER_STATUS_LABELS = {
    "failed": _l("failed, will be tried again"), "given-up": _l("failed 5 times: given up"),
    "unknown": _l("perhaps sent: sending stopped half-way, not sent again"),
    "opted-out": _l("turned off by the person"),
    "no-contact": _l("no confirmed phone number or email"),
    "finished": _l("done before it was sent"), "outdated": _l("no longer due")}
