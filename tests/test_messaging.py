"""The sending interface: the outbox for developers, real SMTP, a real HTTP SMS gateway."""
import json

import pytest

from lms.config import ConfigurationError
from lms.messaging import SendError, send
from tests.conftest import sent_to


def test_the_outbox_keeps_each_message_where_developers_and_tests_read_it(app):
    with app.app_context():
        send("+84912345678", "Mã", "lms: 123456 là mã của bạn", kind="prove-code")
        send("an@example.vn", "Mã", "lms: 654321", kind="reset-code")
    sms, = sent_to(app, "+84912345678")
    assert (sms.channel, sms.kind, sms.text) == ("sms", "prove-code", "lms: 123456 là mã của bạn")
    assert sent_to(app, "an@example.vn")[0].channel == "email"


def test_email_goes_through_a_real_smtp_server(make_app, smtp_server):
    controller, received = smtp_server
    app = make_app(LMS_EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port,
                   MAIL_DEFAULT_SENDER="lms <no-reply@lms.example.vn>")
    with app.app_context():
        send("an@example.vn", "Mã xác nhận", "lms: 123456 là mã xác nhận của bạn.", "prove-code")
    envelope, = received
    assert envelope.rcpt_tos == ["an@example.vn"]
    assert envelope.mail_from == "no-reply@lms.example.vn"
    content = envelope.content.decode()
    assert "Subject: =?utf-8?" in content  # the Vietnamese subject, encoded
    assert sent_to(app, "an@example.vn") == []  # nothing went to the outbox


def test_an_unreachable_smtp_server_is_a_send_error(make_app):
    from tests.conftest import free_port

    app = make_app(LMS_EMAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    with app.app_context(), pytest.raises(SendError):
        send("an@example.vn", "x", "y", "prove-code")


def test_sms_goes_to_a_real_http_gateway_with_the_configured_body(make_app, sms_gateway):
    body = json.dumps({"Phone": "{national}", "Content": "{text}", "Brandname": "LMS",
                       "Type": 2})
    app = make_app(LMS_SMS_BACKEND="http", LMS_SMS_GATEWAY_TOKEN="s3cret-token",
                   LMS_SMS_GATEWAY_URL=f"http://127.0.0.1:{sms_gateway.server_port}/send",
                   LMS_SMS_GATEWAY_BODY=body)
    text = 'lms: 123456 "mã" \\ của bạn'  # quotes and backslashes stay inside the JSON string
    with app.app_context():
        send("+84912345678", "", text, "prove-code")
    (headers, sent), = sms_gateway.requests
    assert sent == {"Phone": "0912345678", "Content": text, "Brandname": "LMS", "Type": 2}
    assert headers["Authorization"] == "Bearer s3cret-token"
    assert headers["Content-Type"] == "application/json; charset=utf-8"


def test_a_gateway_that_refuses_is_a_send_error(make_app, sms_gateway):
    sms_gateway.status = 500
    app = make_app(LMS_SMS_BACKEND="http",
                   LMS_SMS_GATEWAY_URL=f"http://127.0.0.1:{sms_gateway.server_port}/send")
    with app.app_context(), pytest.raises(SendError):
        send("+84912345678", "", "x", "prove-code")


@pytest.mark.parametrize("settings", [{"LMS_SMS_BACKEND": "pigeon"},
                                      {"LMS_SMS_BACKEND": "http"},
                                      {"LMS_SMS_BACKEND": "http", "LMS_SMS_GATEWAY_URL": "http://x",
                                       "LMS_SMS_GATEWAY_BODY": "{not json"},
                                      {"LMS_SMS_BACKEND": "http", "LMS_SMS_GATEWAY_URL": "http://x",
                                       "LMS_SMS_GATEWAY_TOKEN": "bí-mật"},
                                      {"LMS_EMAIL_BACKEND": "pigeon"}])
def test_settings_that_cannot_send_refuse_to_start(make_app, settings):
    with pytest.raises(ConfigurationError):
        make_app(**settings)
