"""AlertSystem: delivered to a local SMTP server (with login) and a local JSON webhook, never
re-sent while the condition stays open, and no credential in any message, row or error."""

from __future__ import annotations

import json
import secrets
import threading
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from ml.monitoring.alerts import (
    Alert,
    SmtpChannel,
    WebhookChannel,
    alert_rows,
    channels_from_config,
    deliver,
    redact,
    triage,
)
from tests.local_servers import free_port

# Made up per run, so no credential-like value lives in the repository.
USER, PASSWORD, TOKEN = "risk-desk", secrets.token_urlsafe(12), secrets.token_hex(12)


class Inbox:
    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope.content)
        return "250 OK"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def webhook_server():
    received: list[tuple[dict, dict]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's hook name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), json.loads(body)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook/{TOKEN}", received
    server.shutdown()


def alerts() -> list[Alert]:
    return [
        Alert("drift", "warning", "T003", "net_pnl_1d", "net P&L moved: median 350 → -860 (p 1e-5)"),
        Alert("risk_limit", "critical", "T010", "risk_score", "risk score 92 above the limit 80"),
    ]


def config(smtp_port: int) -> dict:
    return {
        "channels": {
            "log": {"enabled": True},
            "email": {
                "enabled": True,
                "host": "127.0.0.1",
                "port": smtp_port,
                "from": "riskman@firm.test",
                "to": ["risk@firm.test"],
                "username_env": "RISKMAN_SMTP_USER",
                "password_env": "RISKMAN_SMTP_PASSWORD",
            },
            "webhook": {
                "enabled": True,
                "url_env": "RISKMAN_ALERT_WEBHOOK_URL",
                "token_env": "RISKMAN_ALERT_TOKEN",
            },
        }
    }


def test_alerts_reach_the_smtp_server_and_the_webhook_without_credentials(
    smtp_server, webhook_server, caplog
):
    controller, inbox = smtp_server
    url, received = webhook_server
    environ = {
        "RISKMAN_SMTP_USER": USER,
        "RISKMAN_SMTP_PASSWORD": PASSWORD,
        "RISKMAN_ALERT_WEBHOOK_URL": url,
        "RISKMAN_ALERT_TOKEN": TOKEN,
    }
    channels, secrets = channels_from_config(config(controller.port), environ)
    results = deliver(alerts(), channels, secrets)
    assert [(r.channel, r.sent, r.error) for r in results] == [
        ("log", 2, None),
        ("email", 2, None),
        ("webhook", 2, None),
    ]
    mail = message_from_bytes(inbox.messages[0])
    assert mail["Subject"] == "[riskman critical] 2 new alert(s)"
    assert "risk score 92 above the limit 80" in mail.get_payload()
    headers, body = received[0]
    assert headers["Authorization"] == f"Bearer {TOKEN}"  # the token travels in the header only
    assert [a["key"] for a in body["alerts"]] == ["drift:T003:net_pnl_1d", "risk_limit:T010:risk_score"]
    outgoing = [m.decode() for m in inbox.messages] + [json.dumps(body), caplog.text]
    for text in outgoing:
        for secret in (PASSWORD, TOKEN):
            assert secret not in text


def test_a_failing_channel_is_reported_without_its_secrets_and_the_others_still_send(smtp_server):
    controller, inbox = smtp_server
    dead_url = f"http://127.0.0.1:{free_port()}/hook/{TOKEN}"
    wrong_login = SmtpChannel("127.0.0.1", controller.port, "a@x", ["b@x"], USER, PASSWORD + "-old")
    channels = [
        WebhookChannel(dead_url, TOKEN, timeout=2),
        wrong_login,
        SmtpChannel("127.0.0.1", controller.port, "a@x", ["b@x"]),
    ]
    results = deliver(alerts(), channels, [dead_url, TOKEN, PASSWORD + "-old"])
    assert [r.sent for r in results] == [0, 0, 2]
    for result in results[:2]:
        assert result.error and TOKEN not in result.error and PASSWORD not in result.error
    assert len(inbox.messages) == 1


def test_an_open_condition_is_not_raised_again_until_it_has_resolved():
    first = triage(alerts(), open_keys=[])
    assert [a.key for a in first.new] == ["drift:T003:net_pnl_1d", "risk_limit:T010:risk_score"]
    open_keys = [a.key for a in first.new]
    second = triage(alerts() + alerts(), open_keys)  # the same conditions again, twice
    assert second.new == () and len(second.ongoing) == 2 and second.resolved == ()
    third = triage(alerts()[:1], open_keys)
    assert third.new == () and third.resolved == ("risk_limit:T010:risk_score",)
    fourth = triage(alerts(), ["drift:T003:net_pnl_1d"])  # the risk limit breached again: new
    assert [a.key for a in fourth.new] == ["risk_limit:T010:risk_score"]


def test_stored_rows_and_redaction_never_keep_a_secret():
    leaky = Alert(
        "failed_step", "critical", "firm", "ingest", f"login failed for {USER}:{PASSWORD}", {"url": TOKEN}
    )
    row = alert_rows([leaky], [PASSWORD, TOKEN])[0]
    assert PASSWORD not in json.dumps(row) and TOKEN not in json.dumps(row)
    assert redact(f"abc-{PASSWORD}-xyz", [PASSWORD]) == "abc-***-xyz"


def test_enabling_the_webhook_without_its_url_in_the_environment_is_one_clear_error():
    with pytest.raises(ValueError, match="RISKMAN_ALERT_WEBHOOK_URL is not set"):
        channels_from_config(config(25), {})
