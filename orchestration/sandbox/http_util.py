"""Small request/response types shared by the sandbox's route modules."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from email.message import Message


class ApiError(Exception):
    """An SP-API style error: rendered as {"errors": [{"code", "message", "details"}]}."""

    def __init__(self, status: int, code: str, message: str, details: str = ""):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, list[str]]
    headers: Message
    body: bytes
    captures: dict[str, str] = field(default_factory=dict)

    def json(self) -> dict:
        if not self.body:
            return {}
        try:
            data = json.loads(self.body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "InvalidInput", "The request body is not valid JSON.", str(exc)) from None
        return data

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.params.get(name)
        return values[0] if values else default

    def csv_param(self, *names: str) -> list[str]:
        """A list parameter sent either comma separated or repeated, under any of its spellings."""
        out: list[str] = []
        for name in names:
            for value in self.params.get(name, []):
                out.extend(v for v in value.split(",") if v)
        return out


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(obj, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return Response(status, body, {"Content-Type": "application/json", **(headers or {})})


def error_response(status: int, code: str, message: str, details: str = "") -> Response:
    return json_response({"errors": [{"code": code, "message": message, "details": details}]}, status)


def iso_z(moment: dt.datetime) -> str:
    """Amazon's timestamp style in the Reports API: 2024-03-10T13:47:20.677Z."""
    moment = moment.astimezone(dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: str | None, name: str) -> dt.datetime | None:
    """ISO 8601 date or date-time; naive values are UTC."""
    if value in (None, ""):
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ApiError(400, "InvalidInput", f"Invalid {name}: expected ISO 8601.", value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
