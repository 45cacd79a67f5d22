"""manifest.yml creates an app that can do everything the code asks of Slack."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Web API methods the app calls -> the bot scope each needs (None: no scope)
SCOPES = {
    "auth_test": None,
    "chat_postMessage": "chat:write",
    "chat_update": "chat:write",
    "chat_postEphemeral": "chat:write",
    "chat_getPermalink": None,
    "users_info": "users:read",
    "users_getPresence": "users:read",
    "conversations_open": "im:write",
    "conversations_history": "channels:history",
    "conversations_replies": "channels:history",
    "files_upload_v2": "files:write",
    "views_open": None,
    "views_update": None,
    "views_push": None,
    "views_publish": None,
}


def test_the_manifest_matches_the_code() -> None:
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text())
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    source = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))
    called = set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", source)) | {"chat_postMessage"}
    unknown = called - set(SCOPES)
    assert not unknown, (
        f"new Slack methods: add them (and their scopes) here and to manifest.yml: {unknown}"
    )
    missing = {SCOPES[m] for m in called if SCOPES[m]} - scopes
    assert not missing, f"manifest.yml lacks scopes {missing}"
    assert "users:read.email" in scopes  # people are matched to desk users by email
    assert "groups:history" in scopes  # a private triage channel's history, as a public one's

    (command,) = manifest["features"]["slash_commands"]
    assert command["command"] == "/desk" and command["url"].endswith("/slack/events")
    settings = manifest["settings"]
    assert settings["interactivity"]["is_enabled"] and settings["interactivity"][
        "request_url"
    ].endswith("/slack/events")
    assert settings["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["features"]["app_home"]["home_tab_enabled"]
    app_source = (ROOT / "bot" / "app.py").read_text()
    assert 'app.command("/desk")' in app_source and 'app.event("app_home_opened")' in app_source
