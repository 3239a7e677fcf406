"""AlertSystem: conditions → alerts with severity, deduplicated, delivered through channels.

An alert is a condition that holds on a day, named by a key (rule, subject, what). A key that is
already open is not raised again (nor sent again): it stays open, with its last day updated,
until a day without the condition resolves it; only then can it alert anew. Delivery goes to every
configured channel (log, e-mail over SMTP, a JSON webhook); the credentials come from the
environment (or `.env`) only, and every text that leaves — message, log line, stored row, error —
has them removed first.
"""

from __future__ import annotations

import json
import logging
import smtplib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from email.message import EmailMessage
from typing import Any, Protocol

import requests

log = logging.getLogger(__name__)
SEVERITIES = ("critical", "warning", "info")
REDACTED = "***"


@dataclass(frozen=True)
class Alert:
    rule: str  # drift | degraded_performance | data_check | risk_limit | missing_data | failed_step
    severity: str
    subject: str  # a trader_id, or "firm"
    condition: str  # what exactly: the column, the check, the step
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {self.severity!r}")

    @property
    def key(self) -> str:
        return f"{self.rule}:{self.subject}:{self.condition}"


@dataclass(frozen=True)
class Triage:
    """Today's alerts against the open ones: new (raise and send), ongoing (keep, do not send),
    resolved (open keys whose condition no longer holds)."""

    new: tuple[Alert, ...]
    ongoing: tuple[Alert, ...]
    resolved: tuple[str, ...]


def triage(today: Iterable[Alert], open_keys: Iterable[str]) -> Triage:
    seen: dict[str, Alert] = {}
    for alert in today:
        seen.setdefault(alert.key, alert)  # the same condition twice in a day is one alert
    still_open = set(open_keys)
    new = tuple(a for k, a in seen.items() if k not in still_open)
    ongoing = tuple(a for k, a in seen.items() if k in still_open)
    return Triage(new, ongoing, tuple(sorted(still_open - set(seen))))


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


class Channel(Protocol):
    name: str

    def send(self, alerts: Sequence[Alert]) -> None: ...


def summary(alerts: Sequence[Alert]) -> str:
    lines = [f"{len(alerts)} new risk alert(s):"]
    lines += [f"[{a.severity}] {a.subject}: {a.message}" for a in alerts]
    return "\n".join(lines)


class LogChannel:
    name = "log"

    def send(self, alerts: Sequence[Alert]) -> None:
        for alert in alerts:
            log.warning("alert severity=%s key=%s %s", alert.severity, alert.key, alert.message)


@dataclass
class SmtpChannel:
    host: str
    port: int
    sender: str
    recipients: Sequence[str]
    username: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    name: str = "email"

    def send(self, alerts: Sequence[Alert]) -> None:
        message = EmailMessage()
        worst = min(alerts, key=lambda a: SEVERITIES.index(a.severity)).severity
        message["Subject"] = f"[riskman {worst}] {len(alerts)} new alert(s)"
        message["From"], message["To"] = self.sender, ", ".join(self.recipients)
        message.set_content(summary(alerts))
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as server:
            if self.starttls:
                server.starttls()
            if self.username and self.password:
                server.login(self.username, self.password)
            server.send_message(message)


@dataclass
class WebhookChannel:
    url: str
    token: str | None = None
    timeout: float = 10.0
    name: str = "webhook"

    def send(self, alerts: Sequence[Alert]) -> None:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        body = {"alerts": [{**asdict(a), "key": a.key} for a in alerts], "text": summary(alerts)}
        response = requests.post(self.url, json=body, headers=headers, timeout=self.timeout)
        response.raise_for_status()


@dataclass(frozen=True)
class Delivery:
    channel: str
    sent: int
    error: str | None  # redacted


def deliver(alerts: Sequence[Alert], channels: Sequence[Channel], secrets: Iterable[str]) -> list[Delivery]:
    """Send the alerts to every channel; a channel that fails is reported (with every secret
    removed from its error), never raised: the others still get the alerts."""
    secrets = list(secrets)
    results = []
    for channel in channels:
        if not alerts:
            results.append(Delivery(channel.name, 0, None))
            continue
        try:
            channel.send(alerts)
        except Exception as exc:  # noqa: BLE001 - any channel failure is reported the same way
            error = redact(f"{type(exc).__name__}: {exc}", secrets)
            log.error("alert delivery failed channel=%s error=%s", channel.name, error)
            results.append(Delivery(channel.name, 0, error))
        else:
            results.append(Delivery(channel.name, len(alerts), None))
    return results


def channels_from_config(
    config: Mapping[str, Any], environ: Mapping[str, str]
) -> tuple[list[Channel], list[str]]:
    """The enabled channels and the secrets they hold (to redact everywhere). Credentials and the
    webhook URL (which often embeds a token) are read from the environment variables the config
    names, never from the config itself."""
    channels: list[Channel] = []
    secrets: list[str] = []
    spec = config.get("channels") or {}
    if (spec.get("log") or {}).get("enabled", True):
        channels.append(LogChannel())
    email = spec.get("email") or {}
    if email.get("enabled"):
        password = environ.get(email.get("password_env", ""), "") or None
        secrets += [password] if password else []
        channels.append(
            SmtpChannel(
                host=email["host"],
                port=int(email.get("port", 25)),
                sender=email["from"],
                recipients=list(email["to"]),
                username=environ.get(email.get("username_env", ""), "") or None,
                password=password,
                starttls=bool(email.get("starttls", False)),
            )
        )
    webhook = spec.get("webhook") or {}
    if webhook.get("enabled"):
        url = environ.get(webhook.get("url_env", ""), "")
        token = environ.get(webhook.get("token_env", ""), "") or None
        if not url:
            raise ValueError(f"webhook alerts are enabled but ${webhook.get('url_env')} is not set")
        secrets += [s for s in (url, token) if s]
        channels.append(WebhookChannel(url, token))
    return channels, secrets


def alert_rows(alerts: Sequence[Alert], secrets: Iterable[str]) -> list[dict[str, Any]]:
    """Rows for ml.alerts, secrets removed from every text."""
    secrets = list(secrets)
    return [
        {
            "alert_key": a.key,
            "rule": a.rule,
            "severity": a.severity,
            "subject": a.subject,
            "condition": a.condition,
            "message": redact(a.message, secrets),
            "details": redact(json.dumps(a.details, default=str, sort_keys=True), secrets),
        }
        for a in alerts
    ]


def triaged_rows(
    sorted_out: Triage, deliveries: Sequence[Delivery], secrets: Iterable[str]
) -> list[dict[str, Any]]:
    """ml.alerts rows for the raised (with the channels that took them) and ongoing alerts."""
    delivered = ",".join(d.channel for d in deliveries if d.sent and d.error is None)
    return [
        {**row, "status": status, "delivered_to": delivered if status == "raised" else None}
        for status, group in (("raised", sorted_out.new), ("ongoing", sorted_out.ongoing))
        for row in alert_rows(group, secrets)
    ]
