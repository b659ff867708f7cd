"""Sending a short message to a person: by SMS to a phone number, by email to an address.

One call for every sender (codes, reminders): `send(to, subject, text, kind)`. The
backend for each channel comes from settings (LMS_SMS_BACKEND, LMS_EMAIL_BACKEND):

- "outbox": each message is written as one JSON file in the instance folder's `outbox/`, where
  a developer (and the tests) read it. The default outside production.
- "smtp": email through an SMTP server, by Flask-Mailman (LMS_SMTP_* settings).
- "http": SMS through an HTTP gateway, as Vietnamese brand-name SMS providers offer: a POST of
  a JSON body built from a template (LMS_SMS_GATEWAY_URL, _TOKEN, _BODY).
"""
from __future__ import annotations

import json
import secrets
import unicodedata
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask, current_app

from lms.config import ConfigurationError
from lms.services.clock import now as clock_now

CHANNELS = ("sms", "email")
DEFAULT_SMS_BODY = '{"to": "{to}", "text": "{text}"}'


class SendError(RuntimeError):
    """The message could not be handed to its backend; the person should try again later."""


@dataclass(frozen=True)
class Message:
    channel: str  # sms or email
    to: str  # +84912345678 or an address
    subject: str
    text: str
    kind: str  # what it is for, e.g. "prove-phone", "reset-password", "reminder"
    sent_at: str


def channel_of(to: str) -> str:
    return "email" if "@" in to else "sms"


# SMS text: GSM 03.38's 7-bit alphabet (160 characters in one SMS, 153 in each part of a
# longer one). One character outside it turns the whole message into UCS-2: 70 (67) a part.
GSM_BASIC = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
             "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM_EXTENDED = "^{}\\[~]|€"  # two 7-bit characters each
_TYPOGRAPHY = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-", "—": "-",
                             "…": "...", "·": "-", "đ": "d", "Đ": "D", "\u00a0": " "})


def unaccented(text: str) -> str:
    """`text` in GSM's alphabet: Vietnamese without its marks ("Kỹ năng số" -> "Ky nang so"),
    typographic quotes and dashes as plain ones, anything else left out."""
    bare = "".join(c for c in unicodedata.normalize("NFD", text.translate(_TYPOGRAPHY))
                   if not unicodedata.combining(c))
    return "".join(c for c in bare if c in GSM_BASIC or c in GSM_EXTENDED)


def sms_parts(text: str) -> int:
    """How many SMS `text` is sent as (and billed for)."""
    if all(c in GSM_BASIC or c in GSM_EXTENDED for c in text):
        length, single, part = len(text) + sum(c in GSM_EXTENDED for c in text), 160, 153
    else:
        length, single, part = len(text.encode("utf-16-le")) // 2, 70, 67
    return 1 if length <= single else -(-length // part)


def send(to: str, subject: str, text: str, kind: str) -> Message:
    """Sends one message through the backend configured for its channel; raises SendError."""
    message = Message(channel_of(to), to, subject, text, kind, clock_now().isoformat())
    backends = current_app.extensions["lms.messaging"]
    backends[message.channel](current_app.config, message)
    return message


# Backends: each takes the settings and one message --------------------------------------------

def to_outbox(config, message: Message) -> None:
    folder = Path(config["LMS_OUTBOX_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    # Named by the microsecond it was sent, so that a listing is in the order of sending.
    stamp = message.sent_at.replace(":", "")[:24]
    name = f"{stamp}-{message.channel}-{secrets.token_hex(4)}.json"
    path = folder / name
    path.write_text(json.dumps(asdict(message), ensure_ascii=False, indent=2), encoding="utf-8")
    path.chmod(0o600)  # it may hold a code


def read_outbox(folder: str | Path, to: str | None = None) -> list[Message]:
    """The messages in an outbox folder, oldest first (for developers and tests)."""
    messages = [Message(**json.loads(path.read_text(encoding="utf-8")))
                for path in sorted(Path(folder).glob("*.json"))]
    return [m for m in messages if to is None or m.to == to]


def by_smtp(config, message: Message) -> None:
    from flask_mailman import EmailMessage

    try:
        EmailMessage(subject=message.subject, body=message.text, to=[message.to]).send()
    except OSError as error:  # smtplib's errors are OSErrors too
        raise SendError(f"SMTP: {error}") from error


def by_http_gateway(config, message: Message) -> None:
    """POSTs the body template, with {to} and {text} filled in as JSON strings, to the gateway."""
    template = json.loads(config["LMS_SMS_GATEWAY_BODY"] or DEFAULT_SMS_BODY)
    body = _fill(template, {"to": message.to, "text": message.text,
                            "national": "0" + message.to[3:] if message.to.startswith("+84")
                            else message.to})
    request = urllib.request.Request(config["LMS_SMS_GATEWAY_URL"],
                                     data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
                                     method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    if config.get("LMS_SMS_GATEWAY_TOKEN"):
        request.add_header("Authorization", f"Bearer {config['LMS_SMS_GATEWAY_TOKEN']}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read(64 * 1024)
    except (urllib.error.URLError, OSError) as error:  # HTTPError (non-2xx) is a URLError
        raise SendError(f"SMS gateway: {error}") from error


def _fill(template, values: dict[str, str]):
    """Placeholders are replaced inside the parsed JSON, so a text can never break its quoting."""
    if isinstance(template, str):
        for key, value in values.items():
            template = template.replace("{" + key + "}", value)
        return template
    if isinstance(template, list):
        return [_fill(item, values) for item in template]
    if isinstance(template, dict):
        return {key: _fill(value, values) for key, value in template.items()}
    return template


BACKENDS = {"sms": {"outbox": to_outbox, "http": by_http_gateway},
            "email": {"outbox": to_outbox, "smtp": by_smtp}}


def init_app(app: Flask) -> None:
    """Chooses each channel's backend once, and refuses settings that cannot work."""
    chosen = {}
    for channel in CHANNELS:
        name = app.config[f"LMS_{channel.upper()}_BACKEND"]
        if name not in BACKENDS[channel]:
            raise ConfigurationError(f"LMS_{channel.upper()}_BACKEND must be one of "
                                     f"{', '.join(BACKENDS[channel])}, not {name!r}")
        chosen[channel] = BACKENDS[channel][name]
    if app.config["LMS_SMS_BACKEND"] == "http":
        if not app.config.get("LMS_SMS_GATEWAY_URL"):
            raise ConfigurationError("LMS_SMS_BACKEND=http needs LMS_SMS_GATEWAY_URL")
        try:
            json.loads(app.config.get("LMS_SMS_GATEWAY_BODY") or DEFAULT_SMS_BODY)
        except ValueError as error:
            raise ConfigurationError(f"LMS_SMS_GATEWAY_BODY is not JSON: {error}") from None
        if not (app.config.get("LMS_SMS_GATEWAY_TOKEN") or "").isascii():
            raise ConfigurationError("LMS_SMS_GATEWAY_TOKEN must be ASCII (it goes in a header)")
    if app.config["LMS_EMAIL_BACKEND"] == "smtp":
        from flask_mailman import Mail

        # Flask-Mailman keeps mail in memory under TESTING; our tests talk to real SMTP.
        app.config["MAIL_BACKEND"] = "smtp"
        Mail(app)
    if "outbox" in (app.config["LMS_SMS_BACKEND"], app.config["LMS_EMAIL_BACKEND"]) and \
            app.config["LMS_ENV"] == "production":
        app.logger.warning("Messages are written to %s instead of being sent: set "
                           "LMS_SMS_BACKEND=http and LMS_EMAIL_BACKEND=smtp in production",
                           app.config["LMS_OUTBOX_DIR"])
    app.extensions["lms.messaging"] = chosen
