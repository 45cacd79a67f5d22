"""``/desk kb``: search and list through signed requests, the article modal (errors under
the inputs, a refused agent, publishing by the clicking person, a stale version shown in
the modal), and the snippet made safe for mrkdwn."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from bot import ids
from bot.blocks import knowledge as kb
from core.access.permissions import Principal
from core.errors import ValidationError
from core.knowledge.articles import ArticleSpec, ArticleView
from core.knowledge.search import ArticleHit
from tests.support.blockkit import problems, view_problems
from tests.support.slack_driver import SlackHarness, find_action


async def _writer(slack: SlackHarness) -> Principal:
    member = await slack.member(slack.user("UMAN00001", "mia"), "manager")
    return Principal(member.user_id, member.name, "manager", "test")


def _modal(slack: SlackHarness, n: int = 1) -> Any:
    return slack.fake.wait_for(
        "views.update", count=n, where=lambda c: c.view.get("callback_id") == ids.KB_VIEW
    )


async def test_write_an_article_from_slack_then_find_it(slack: SlackHarness) -> None:
    admin = await slack.member(slack.admin, "admin")
    await slack.driver.command(slack.admin, "kb new")
    (opened,) = await _modal(slack)
    view = opened.reply["view"]
    typed = {
        kb.TITLE_BLOCK: "   ",
        kb.BODY_BLOCK: "Refunds for amounts < 5 EUR & more: we refund within 5 days.",
        kb.CATEGORY_BLOCK: "Billing",
        kb.LANGUAGE_BLOCK: "en",
        kb.PUBLISH_BLOCK: ["publish"],
    }
    acked = await slack.driver.submit(slack.admin, view, typed)
    assert acked.json() == {
        "response_action": "errors",
        "errors": {kb.TITLE_BLOCK: "an article needs a title"},
    }
    typed[kb.TITLE_BLOCK] = "x" * 301  # longer than the input allows: a forged payload
    acked = await slack.driver.submit(slack.admin, view, typed)
    assert "at most 300 characters" in acked.json()["errors"][kb.TITLE_BLOCK]
    typed[kb.TITLE_BLOCK], typed[kb.LANGUAGE_BLOCK] = "Refund policy", "english"
    acked = await slack.driver.submit(slack.admin, view, typed)
    assert "ISO 639 code" in acked.json()["errors"][kb.LANGUAGE_BLOCK]
    assert await slack.desk.knowledge.count() == 0

    typed[kb.LANGUAGE_BLOCK] = "EN"
    acked = await slack.driver.submit(slack.admin, view, typed)
    assert acked.json()["response_action"] == "update"  # "Saving…", then the outcome
    await slack.fake.wait_for(
        "views.update", where=lambda c: "saved: version 1, published" in c.text_of_blocks()
    )
    (article,) = await slack.desk.knowledge.list()
    assert (article.title, article.category, article.language) == ("Refund policy", "Billing", "en")
    assert article.status == "published" and article.reviewed_by_id == admin.user_id

    agent = slack.user("UAGT00001", "ann")
    await slack.member(agent, "agent")
    await slack.driver.command(agent, "kb refund")
    (found,) = await slack.fake.wait_for("response_url")
    shown = found.text_of_blocks()
    assert f"*Refund policy*  #{article.id} · Billing · en" in shown
    assert "amounts &lt; 5 EUR &amp; more" in shown and "*refund*" in shown.lower()
    assert " < " not in shown

    await slack.driver.command(agent, "kb nothing-like-it")
    calls = await slack.fake.wait_for("response_url", count=2)
    assert "No published article matches." in calls[1].text_of_blocks()


async def test_an_agent_is_refused_writing(slack: SlackHarness) -> None:
    agent = slack.user("UAGT00001", "ann")
    await slack.member(agent, "agent")
    await slack.driver.command(agent, "kb new")
    (refused,) = await slack.fake.wait_for(
        "views.update", where=lambda c: "needs the role" in c.text_of_blocks()
    )
    assert "you are agent" in refused.text_of_blocks()

    # a forged submission of the form is refused by the knowledge base too
    form = {**kb.article_view(), "id": "VFORGED"}
    typed = {kb.TITLE_BLOCK: "Mine", kb.BODY_BLOCK: "Text", kb.PUBLISH_BLOCK: ["publish"]}
    acked = await slack.driver.submit(agent, form, typed)
    assert acked.status == 200
    await slack.fake.wait_for(
        "views.update",
        where=lambda c: (
            c.body.get("view_id") == "VFORGED" and "needs the role" in c.text_of_blocks()
        ),
    )
    assert await slack.desk.knowledge.count() == 0


async def test_edit_shows_a_conflict_in_the_modal(slack: SlackHarness) -> None:
    writer = await _writer(slack)
    article = await slack.desk.knowledge.create(
        writer, ArticleSpec("Password reset", "Use Forgot password.", category="Login / Access")
    )
    await slack.member(slack.admin, "admin")
    await slack.driver.command(slack.admin, f"kb edit {article.id}")
    (opened,) = await _modal(slack)
    assert opened.view["private_metadata"] == f"{article.id}:1"
    initial = {
        b["block_id"]: b["element"].get("initial_value")
        for b in opened.view["blocks"]
        if "element" in b
    }
    assert initial[kb.TITLE_BLOCK] == "Password reset"
    assert initial[kb.BODY_BLOCK] == "Use Forgot password."
    assert kb.PUBLISH_BLOCK not in initial

    await slack.desk.knowledge.edit(writer, article.id, version=1, body="Someone else's text.")
    typed = {kb.BODY_BLOCK: "Unlock the account first."}
    await slack.driver.submit(slack.admin, opened.reply["view"], typed)
    conflict = (await _modal(slack, 2))[1]
    assert "is at version 2, not 1" in conflict.text_of_blocks()
    assert conflict.view["private_metadata"] == f"{article.id}:2"
    body = next(b for b in conflict.view["blocks"] if b.get("block_id") == kb.BODY_BLOCK)
    assert body["element"]["initial_value"] == "Unlock the account first."  # kept
    assert (await slack.desk.knowledge.get(article.id)).body == "Someone else's text."

    await slack.driver.submit(slack.admin, conflict.reply["view"])
    await slack.fake.wait_for(
        "views.update", where=lambda c: "saved: version 3, draft" in c.text_of_blocks()
    )
    saved = await slack.desk.knowledge.get(article.id)
    assert (saved.body, saved.category) == ("Unlock the account first.", "Login / Access")


async def test_list_ten_a_page_with_status(slack: SlackHarness) -> None:
    writer = await _writer(slack)
    for i in range(12):
        await slack.desk.knowledge.create(
            writer, ArticleSpec(f"Article {i:02}", "Body."), publish=i % 2 == 0
        )
    await slack.member(slack.admin, "admin")
    await slack.driver.command(slack.admin, "kb")
    (first,) = await slack.fake.wait_for("response_url")
    shown = first.text_of_blocks()
    assert shown.count("version 1") == 10 and "Article 11" in shown and "Article 01" not in shown
    assert ":white_check_mark: published" in shown and ":memo: draft" in shown
    next_button, _ = find_action(first.blocks, f"{ids.KB_PAGE}_next")

    await slack.driver.action(slack.admin, next_button)
    second = (await slack.fake.wait_for("response_url", count=2))[1]
    assert second.body["replace_original"] is True
    page = second.text_of_blocks()
    assert page.count("version 1") == 2 and "Article 01" in page and "Article 00" in page
    find_action(second.blocks, f"{ids.KB_PAGE}_prev")
    assert f"{ids.KB_PAGE}_next" not in str(second.blocks)


async def test_bad_commands_say_what_works(slack: SlackHarness) -> None:
    await slack.member(slack.admin, "admin")
    await slack.driver.command(slack.admin, "kb edit twelve")
    (bad,) = await slack.fake.wait_for("response_url")
    assert "`/desk kb edit ID`" in bad.text_of_blocks()
    await slack.driver.command(slack.admin, "kb edit 999")
    await slack.fake.wait_for(
        "views.update", where=lambda c: "article 999 not found" in c.text_of_blocks()
    )
    await slack.driver.command(slack.admin, "help")
    helped = (await slack.fake.wait_for("response_url", count=2))[1]
    assert "`/desk kb [words]`" in helped.text_of_blocks()


def test_snippet_marks_become_bold_and_the_rest_is_escaped() -> None:
    assert kb.snippet_mrkdwn("we **refund** in <5> days & **more**") == (
        "we *refund* in &lt;5&gt; days &amp; *more*"
    )
    # the body's own formatting cannot pair with a bold; a mark left open is dropped
    assert kb.snippet_mrkdwn("a * b **re*fund** `c` ~d~ snake_case") == (
        "a  b *refund* c d snake_case"
    )
    assert kb.snippet_mrkdwn("start **open end") == "start open end"
    assert kb.snippet_mrkdwn("**<@U123>** ****") == "*&lt;@U123&gt;*"
    assert kb.snippet_mrkdwn("") == ""


def test_page_values_are_checked() -> None:
    page = ids.KbPage("refund", 10)
    assert ids.KbPage.parse(page.value()) == page
    for raw in ("", "{}", '{"q":"a","o":-1}', '{"q":1,"o":0}', '{"q":"a","o":true}'):
        with pytest.raises(ValidationError, match="not a page of /desk kb"):
            ids.KbPage.parse(raw)


def test_blocks_keep_within_slack_limits() -> None:
    now = datetime(2026, 11, 20, 14, 2, tzinfo=UTC)
    long = "word " * 80
    articles = [
        ArticleView(
            i, long, long * 20, "Billing", "en", "draft", 1, None, 0, 0, None, None, now, now
        )
        for i in range(11)
    ]
    hits = [
        ArticleHit(i, long, 1.0, f"**{long}** " * 3, "en", None, "published") for i in range(11)
    ]
    assert problems(kb.kb_list_blocks(articles, offset=10)) == []
    assert problems(kb.kb_search_blocks("q " * 900, hits, offset=10)) == []
    form = kb.ArticleForm(long * 3, long * 200, "Billing", "de")
    assert view_problems(kb.article_view(form, ref=ids.ArticleRef(3, 2), conflict=long * 20)) == []
    assert view_problems(kb.article_view()) == []
