"""The admin's settings form (``/desk settings``) as one service: save what it changed, or
test a connection with what is typed in it. Admins only (``require_role``).

A save runs its steps in order (the mailbox, plain settings, secrets, the triage channel,
auto-fetch, a role change), each through its own service and audited there; the outcome
names each step that was stored, so a failure half-way says what was kept.

    form = SettingsForm(store=..., mailboxes=..., scheduler=..., members=..., ai_defaults=...,
                        channel_key="slack.triage_channel")
    saved = await form.save(admin, change, home_team=home, profile=lookup)
    outcome = await form.test(admin, change, errors, which="imap", home_team=home)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from core.access.members import Member, MemberService, SlackProfile
from core.access.permissions import require_role
from core.ai.config import AISettings, with_stored
from core.ai.service import check as check_ai
from core.control.mailbox_form import MailboxForm, MailboxSettings
from core.control.scheduler import SchedulerControl
from core.control.settings_store import SettingsStore
from core.errors import DeskError, ValidationError

# a Slack user's profile (email, name), asked only for a person the desk does not know yet
ProfileLookup = Callable[[str], Awaitable[SlackProfile]]


@dataclass(frozen=True, slots=True)
class SettingsInput:
    """What the settings form asks to change (read and checked by the form)."""

    mailbox: MailboxForm | None
    settings: dict[str, str]  # settings store key -> value ("" clears)
    secrets: dict[str, str]  # typed secrets only; empty fields keep what is stored
    triage_channel: str | None
    role_user: str | None  # the Slack user whose role changes
    role: str | None
    auto_fetch: str | None = None  # "on" / "off"
    fetch_interval: int | None = None


@dataclass(frozen=True, slots=True)
class SettingsSaved:
    """What a save stored (each step named), and the error that stopped it, if one did."""

    done: list[str] = field(default_factory=list)
    failed: DeskError | None = None


class SettingsForm:
    def __init__(
        self,
        *,
        store: SettingsStore,
        mailboxes: MailboxSettings,
        scheduler: SchedulerControl,
        members: MemberService,
        ai_defaults: AISettings,
        channel_key: str,
        default_channel: str | None = None,
    ) -> None:
        self.store = store
        self.mailboxes = mailboxes
        self.scheduler = scheduler
        self.members = members
        self.ai_defaults = ai_defaults
        self.channel_key = channel_key  # where the triage channel is stored
        self.default_channel = default_channel  # the configured one, when none is stored

    async def save(
        self,
        admin: Member,
        form: SettingsInput,
        *,
        home_team: str | None,
        profile: ProfileLookup,
    ) -> SettingsSaved:
        """Store what the form changed, step by step; never raises a DeskError (it is the
        outcome's ``failed``, after the steps already ``done``)."""
        done: list[str] = []
        try:
            await self._save(admin, form, home_team=home_team, profile=profile, done=done)
        except DeskError as exc:
            return SettingsSaved(done, exc)
        return SettingsSaved(done)

    async def _save(
        self,
        admin: Member,
        form: SettingsInput,
        *,
        home_team: str | None,
        profile: ProfileLookup,
        done: list[str],
    ) -> None:
        require_role(admin, "admin", doing="changing settings")
        if form.mailbox is not None:
            saved = await self.mailboxes.save(
                form.mailbox, team_id=admin.team_id, home_team=home_team, actor=admin.actor
            )
            done.append(f"mailbox {saved.name} ({saved.address})")
        stored = await self.store.public()
        for key, val in form.settings.items():
            if stored.get(key, "") != val:
                await self.store.set(key, val, actor=admin.actor)
                done.append(key)
        for key, val in form.secrets.items():
            await self.store.set(key, val, secret=True, actor=admin.actor)
            done.append(f"{key} (hidden)")
        if form.triage_channel and form.triage_channel != await self.channel():
            await self.store.set(self.channel_key, form.triage_channel, actor=admin.actor)
            done.append("triage channel")
        done += await self._scheduler(admin, form)
        if form.role_user and form.role:
            target = await self.members.find(admin.team_id, form.role_user)
            if target is None:
                target = await self.members.link(
                    admin.team_id, form.role_user, await profile(form.role_user)
                )
            changed = await self.members.set_role(admin, target.user_id, form.role)
            done.append(f"{changed.name} is now {changed.role}")

    async def channel(self) -> str | None:
        """The triage channel: the stored one, else the configured one."""
        return await self.store.get(self.channel_key) or self.default_channel

    async def _scheduler(self, admin: Member, form: SettingsInput) -> list[str]:
        """Auto-fetch on/off and its interval, when they differ from what is stored."""
        cfg = await self.scheduler.config()
        interval = form.fetch_interval if form.fetch_interval != cfg.interval_seconds else None
        if form.auto_fetch == "on" and (not cfg.enabled or interval):
            await self.scheduler.start(admin.actor, interval_seconds=interval)
            return ["auto-fetch on" + (f", every {interval} s" if interval else "")]
        if form.auto_fetch == "off" and cfg.enabled:
            await self.scheduler.stop(admin.actor)
            return ["auto-fetch off"]
        if interval:
            await self.scheduler.set_interval(admin.actor, interval)
            return [f"auto-fetch every {interval} s"]
        return []

    async def test(
        self,
        admin: Member,
        form: SettingsInput,
        errors: dict[str, str],
        *,
        which: str,
        home_team: str | None,
    ) -> str:
        """Test ``which`` (imap, smtp or ai) with what is typed in the form, stored
        secrets where none is: the outcome ("ok", or "OK: what was found"); a DeskError
        when it fails or the form is not filled in (``errors``: the form's own)."""
        require_role(admin, "admin", doing="testing the connections")
        if which == "ai":
            if bad := {k: v for k, v in errors.items() if k.startswith("ai_")}:
                raise ValidationError("; ".join(f"{k}: {v}" for k, v in bad.items()), field="ai")
            typed = {k: v for k, v in {**form.settings, **form.secrets}.items() if v}
            return await check_ai(
                with_stored(self.ai_defaults, {**await self.store.all(), **typed})
            )
        if form.mailbox is None or errors:
            raise ValidationError(
                "fill in the mailbox fields first: "
                + "; ".join(f"{k}: {v}" for k, v in errors.items()),
                field="mailbox",
            )
        return await self.mailboxes.test(
            form.mailbox, which=which, team_id=admin.team_id, home_team=home_team
        )
