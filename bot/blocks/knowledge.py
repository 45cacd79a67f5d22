"""The knowledge base in Slack (``/desk kb``), as pure builders and parsers.

- ``kb_search_blocks``: published articles found for some words (title, snippet with the
  matched words in bold, id); ``kb_list_blocks``: the most recently changed articles with
  their status; both 10 a page with Previous / Next;
- ``snippet_mrkdwn``: a search snippet made safe for mrkdwn, its highlight marks turned
  into Slack's ``*bold*``;
- the article modal: ``article_view`` (title, body, category, language, and "publish now"
  for a new one), ``parse_article_submission`` back to an ``ArticleSpec`` and
  ``article_errors`` for ``response_action: errors``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.blocks.text import INPUT_MAX, escape, mrkdwn, plain, short
from core.errors import ValidationError
from core.knowledge.articles import MAX_TITLE_CHARS, ArticleSpec, ArticleView
from core.knowledge.search import ArticleHit
from core.knowledge.text_search import MARKS
from core.vocabulary import CATEGORIES

Block = dict[str, Any]
View = dict[str, Any]

PAGE_SIZE = 10
BUTTON_VALUE_MAX = 2000  # Slack's limit on a button's value
TITLE_BLOCK, BODY_BLOCK, CATEGORY_BLOCK, LANGUAGE_BLOCK, PUBLISH_BLOCK = (
    "kb_title",
    "kb_body",
    "kb_category",
    "kb_language",
    "kb_publish",
)
VALUE = "value"  # the action id of every input in the article modal
NO_CATEGORY = "none"
FIELD_BLOCKS = {
    "title": TITLE_BLOCK,
    "body": BODY_BLOCK,
    "category": CATEGORY_BLOCK,
    "language": LANGUAGE_BLOCK,
}
STATUS_ICONS = {"draft": ":memo:", "published": ":white_check_mark:", "archived": ":file_cabinet:"}
# characters mrkdwn reads as formatting (mrkdwn cannot escape them): out of a highlighted
# word, so its bold holds; out of the plain text, so a stray one cannot pair with a bold
_FORMATTING = re.compile(r"[*_~`]")
_PLAIN_FORMATTING = re.compile(r"[*~`]")  # "_" formats whole words only: snake_case stays


def _plain(text: str) -> str:
    return escape(_PLAIN_FORMATTING.sub("", text))


def snippet_mrkdwn(snippet: str) -> str:
    """The snippet escaped for mrkdwn; the words between the search's highlight marks in
    ``*bold*``. The body's own formatting characters are dropped (mrkdwn cannot escape
    them: they would end a bold early or start one); an unpaired mark is left out."""
    start, stop = MARKS
    out: list[str] = []
    rest = " ".join((snippet or "").split())
    while rest:
        before, found, after = rest.partition(start)
        out.append(_plain(before))
        if not found:
            break
        word, closed, rest = after.partition(stop)
        if not closed:  # an unpaired mark: the rest as plain text
            out.append(_plain(word))
            break
        bold = _FORMATTING.sub("", word).strip()
        if bold:
            out.append(f"*{escape(bold)}*")
    return "".join(out).strip()


def _page_buttons(query: str, offset: int, *, more: bool) -> list[Block]:
    buttons = []
    if offset > 0:
        back = ids.KbPage(query, max(0, offset - PAGE_SIZE))
        buttons.append(("Previous", back, f"{ids.KB_PAGE}_prev"))
    if more:
        buttons.append(("Next", ids.KbPage(query, offset + PAGE_SIZE), f"{ids.KB_PAGE}_next"))
    elements = [
        {"type": "button", "action_id": action, "text": plain(label), "value": page.value()}
        for label, page, action in buttons
        if len(page.value()) <= BUTTON_VALUE_MAX
    ]
    return [{"type": "actions", "elements": elements}] if elements else []


def _meta(category: str | None, language: str, article_id: int) -> str:
    return f"#{article_id} · {escape(category or 'no category')} · {escape(language)}"


def kb_search_blocks(query: str, hits: list[ArticleHit], *, offset: int = 0) -> list[Block]:
    """One page of published articles for ``query``; ``hits`` may hold one more than a
    page (then there is a Next button)."""
    page = hits[:PAGE_SIZE]
    head = f"*Knowledge base* · {escape(short(query, 200))}"
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(head)}]
    for h in page:
        line = f"*{escape(short(h.title, 200))}*  {_meta(h.category, h.language, h.id)}"
        if snip := snippet_mrkdwn(h.snippet):
            line += f"\n{snip}"  # a few words (the search's snippet length)
        blocks.append({"type": "section", "text": mrkdwn(line)})
    if not page:
        text = "No published article matches." if offset == 0 else "No more articles."
        blocks.append({"type": "context", "elements": [mrkdwn(text)]})
    blocks.extend(_page_buttons(query, offset, more=len(hits) > PAGE_SIZE))
    return blocks


def kb_list_blocks(articles: list[ArticleView], *, offset: int = 0) -> list[Block]:
    """One page of articles, the most recently changed first, each with its status;
    ``articles`` may hold one more than a page (then there is a Next button)."""
    page = articles[:PAGE_SIZE]
    head = (
        "*Knowledge base* · recent articles · `/desk kb <words>` searches the published ones,"
        " `/desk kb new` writes one, `/desk kb edit ID` changes one"
    )
    blocks: list[Block] = [{"type": "section", "text": mrkdwn(head)}]
    for a in page:
        icon = STATUS_ICONS.get(a.status, "")
        line = (
            f"*{escape(short(a.title, 200))}*  {_meta(a.category, a.language, a.id)}\n"
            f"{icon} {escape(a.status)} · version {a.version}"
        )
        blocks.append({"type": "section", "text": mrkdwn(line)})
    if not page:
        text = "No articles yet." if offset == 0 else "No more articles."
        blocks.append({"type": "context", "elements": [mrkdwn(text)]})
    blocks.extend(_page_buttons("", offset, more=len(articles) > PAGE_SIZE))
    return blocks


def _category_options() -> list[dict[str, Any]]:
    return [{"text": plain("No category"), "value": NO_CATEGORY}] + [
        {"text": plain(c), "value": c} for c in CATEGORIES
    ]


@dataclass(frozen=True, slots=True)
class ArticleForm:
    """What the modal holds: typed by a person, or taken from an article."""

    title: str = ""
    body: str = ""
    category: str | None = None
    language: str = "en"

    @classmethod
    def of(cls, article: ArticleView) -> ArticleForm:
        return cls(article.title, article.body, article.category, article.language)


def article_view(
    form: ArticleForm | None = None,
    *,
    ref: ids.ArticleRef | None = None,
    conflict: str | None = None,
) -> View:
    """Write a new article (no ``ref``) or edit one (``ref``: its id and the version the
    form was opened at). ``conflict``: why the last save was refused, shown on top."""
    form = form or ArticleForm()
    ref = ref or ids.ArticleRef()
    options = _category_options()
    title: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "max_length": MAX_TITLE_CHARS,
    }
    body: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": True,
        "max_length": INPUT_MAX,
        "placeholder": plain("What the customer should do, in Markdown"),
    }
    language: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "max_length": 3,
        "initial_value": form.language,
    }
    category: dict[str, Any] = {
        "type": "static_select",
        "action_id": VALUE,
        "options": options,
        "initial_option": next((o for o in options if o["value"] == form.category), options[0]),
    }
    if form.title:
        title["initial_value"] = form.title[:MAX_TITLE_CHARS]
    if form.body:
        body["initial_value"] = form.body[:INPUT_MAX]
    blocks: list[Block] = []
    if conflict:
        blocks.append(
            {
                "type": "section",
                "text": mrkdwn(
                    f":warning: *Not saved:* {escape(short(conflict, 500))}\n"
                    "Your text is still below; *Save* again to replace the newer version."
                ),
            }
        )
    blocks += [
        {"type": "input", "block_id": TITLE_BLOCK, "label": plain("Title"), "element": title},
        {"type": "input", "block_id": BODY_BLOCK, "label": plain("Body"), "element": body},
        {
            "type": "input",
            "block_id": CATEGORY_BLOCK,
            "label": plain("Category"),
            "element": category,
        },
        {
            "type": "input",
            "block_id": LANGUAGE_BLOCK,
            "label": plain("Language"),
            "element": language,
            "hint": plain("An ISO 639 code: en, de, es, fr, pt"),
        },
    ]
    if ref.article_id is None:
        blocks.append(
            {
                "type": "input",
                "block_id": PUBLISH_BLOCK,
                "optional": True,
                "label": plain("Publish"),
                "element": {
                    "type": "checkboxes",
                    "action_id": VALUE,
                    "options": [
                        {
                            "text": plain("Publish now: drafts may quote it to customers"),
                            "value": "publish",
                        }
                    ],
                },
            }
        )
    else:
        blocks.append(
            {
                "type": "context",
                "elements": [mrkdwn(f"Article #{ref.article_id}, version {ref.version}")],
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.KB_VIEW,
        "title": plain("Edit article" if ref.article_id else "New article"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": ref.dump(),
        "blocks": blocks,
    }


def parse_article_submission(state_values: dict[str, Any]) -> tuple[ArticleForm, bool]:
    """The modal's inputs, as typed, and whether "publish now" was ticked."""

    def element(block: str) -> dict[str, Any]:
        return (state_values.get(block) or {}).get(VALUE) or {}

    chosen = (element(CATEGORY_BLOCK).get("selected_option") or {}).get("value") or NO_CATEGORY
    form = ArticleForm(
        title=element(TITLE_BLOCK).get("value") or "",
        body=element(BODY_BLOCK).get("value") or "",
        category=None if chosen == NO_CATEGORY else chosen,
        language=element(LANGUAGE_BLOCK).get("value") or "",
    )
    return form, bool(element(PUBLISH_BLOCK).get("selected_options"))


def article_spec(form: ArticleForm) -> ArticleSpec:
    """The form as a validated ``ArticleSpec``, or the ValidationError saying what is wrong
    (pure: shown under the input before anything is saved)."""
    return ArticleSpec(
        title=form.title, body=form.body, category=form.category, language=form.language
    ).validated()


def article_errors(exc: ValidationError) -> dict[str, str]:
    """``{block_id: message}`` for ``ack(response_action="errors", errors=...)``: under the
    input the error names (the body, when it names none of them)."""
    block = FIELD_BLOCKS.get(str(exc.data.get("field") or "body"), BODY_BLOCK)
    return {block: short(str(exc), 150)}
