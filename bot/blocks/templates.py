"""Response templates in Slack, as pure builders and parsers.

- ``/desk templates``: ``templates_list_blocks`` (each with Edit / Preview, and New);
- the template modal: ``template_view`` (name, category, text with the variables listed,
  description, "the AI drafts from it"), ``parse_template_submission`` back to a
  ``TemplateSpec`` and ``template_errors`` for ``response_action: errors`` (an unknown
  variable is shown under the text input, naming it);
- the Edit draft modal: ``use_template_block`` ("Use template" select); the handler calls
  ``TemplateService.use(...)`` and puts the text into the draft input;
- ``template_preview_blocks``: a rendered template.
"""

from __future__ import annotations

from typing import Any

from bot.blocks.text import INPUT_MAX, escape, mrkdwn, plain, plural, short, split_text
from core.errors import ValidationError
from core.replies.rendering import VARIABLES
from core.replies.templates import TemplateSpec, TemplateView
from core.vocabulary import CATEGORIES

Block = dict[str, Any]
View = dict[str, Any]

# ids (the Slack app may move them into bot/ids.py)
TEMPLATE_VIEW = "template_save"
NEW_TEMPLATE = "template_new"
EDIT_TEMPLATE = "template_edit"
USE_TEMPLATE_BLOCK, USE_TEMPLATE_ACTION = "use_template", "use_template"
NAME_BLOCK, CATEGORY_BLOCK, BODY_BLOCK, DESCRIPTION_BLOCK, AI_BLOCK = (
    "template_name",
    "template_category",
    "template_body",
    "template_description",
    "template_ai",
)
VALUE = "value"  # the action id of every input in the template modal
GENERAL = "general"
FIELD_BLOCKS = {"name": NAME_BLOCK, "category": CATEGORY_BLOCK, "body": BODY_BLOCK}
LISTED = 30


def _category_label(category: str | None) -> str:
    return category or "General (any category)"


def templates_list_blocks(templates: list[TemplateView], *, can_edit: bool = True) -> list[Block]:
    """``/desk templates``: every template with its category and usage."""
    blocks: list[Block] = [
        {
            "type": "section",
            "text": mrkdwn(
                f"*Response templates* ({len(templates)}) · variables like "
                "`{{ customer_name }}` are filled in for each ticket"
            ),
        }
    ]
    if can_edit:
        blocks[0]["accessory"] = {
            "type": "button",
            "action_id": NEW_TEMPLATE,
            "text": plain("New template"),
            "style": "primary",
            "value": "new",
        }
    for t in templates[:LISTED]:
        flags = [
            f
            for f, on in (
                (":robot_face: AI drafts from it", t.ai_draft),
                ("archived", not t.is_active),
            )
            if on
        ]
        line = (
            f"*{escape(short(t.name, 100))}* · {escape(_category_label(t.category))} · "
            f"used {plural(t.uses, 'time')}" + (f" · {' · '.join(flags)}" if flags else "")
        )
        if t.description:
            line += f"\n{escape(short(t.description, 200))}"
        block: Block = {"type": "section", "text": mrkdwn(line)}
        if can_edit:
            block["accessory"] = {
                "type": "overflow",
                "action_id": EDIT_TEMPLATE,
                "options": [
                    {"text": plain("Edit"), "value": f"edit:{t.id}"},
                    {"text": plain("Preview"), "value": f"preview:{t.id}"},
                ],
            }
        blocks.append(block)
    if len(templates) > LISTED:
        blocks.append(
            {
                "type": "context",
                "elements": [
                    mrkdwn(f"…and {len(templates) - LISTED} more (`desk templates list`)")
                ],
            }
        )
    if not templates:
        blocks.append({"type": "context", "elements": [mrkdwn("No templates yet.")]})
    return blocks


def parse_list_action(value: str) -> tuple[str, int]:
    """``edit:12`` / ``preview:12`` from the overflow menu."""
    what, _, ident = (value or "").partition(":")
    if what not in ("edit", "preview") or not ident.isdecimal():
        raise ValidationError(f"not a template action: {value[:40]!r}")
    return what, int(ident)


def _category_options() -> list[dict[str, Any]]:
    return [{"text": plain(_category_label(None)), "value": GENERAL}] + [
        {"text": plain(c), "value": c} for c in CATEGORIES
    ]


def template_view(template: TemplateView | None = None, *, metadata: str = "") -> View:
    """Create (no ``template``) or edit a template."""
    variables = ", ".join(f"{{{{ {v} }}}}" for v in VARIABLES)
    name: dict[str, Any] = {"type": "plain_text_input", "action_id": VALUE, "max_length": 100}
    body: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "multiline": True,
        "max_length": INPUT_MAX,
        "placeholder": plain("Hi {{ customer_first_name }}, ..."),
    }
    description: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": VALUE,
        "max_length": 500,
    }
    options = _category_options()
    category: dict[str, Any] = {"type": "static_select", "action_id": VALUE, "options": options}
    ai: dict[str, Any] = {
        "type": "checkboxes",
        "action_id": VALUE,
        "options": [
            {
                "text": plain("The offline AI drafts replies of this category from it"),
                "value": "ai",
            }
        ],
    }
    if template is not None:
        name["initial_value"] = template.name
        body["initial_value"] = template.body[:INPUT_MAX]
        if template.description:
            description["initial_value"] = template.description[:500]
        category["initial_option"] = next(
            o for o in options if o["value"] == (template.category or GENERAL)
        )
        if template.ai_draft:
            ai["initial_options"] = ai["options"]
    else:
        category["initial_option"] = options[0]
    blocks: list[Block] = [
        {"type": "input", "block_id": NAME_BLOCK, "label": plain("Name"), "element": name},
        {
            "type": "input",
            "block_id": CATEGORY_BLOCK,
            "label": plain("Category"),
            "element": category,
        },
        {
            "type": "input",
            "block_id": BODY_BLOCK,
            "label": plain("Text"),
            "element": body,
            "hint": plain(short(f"Variables: {variables}", 2000)),
        },
        {
            "type": "input",
            "block_id": DESCRIPTION_BLOCK,
            "optional": True,
            "label": plain("When to use it"),
            "element": description,
        },
        {
            "type": "input",
            "block_id": AI_BLOCK,
            "optional": True,
            "label": plain("AI drafts"),
            "element": ai,
        },
    ]
    return {
        "type": "modal",
        "callback_id": TEMPLATE_VIEW,
        "title": plain("Edit template" if template else "New template"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "private_metadata": metadata or (str(template.id) if template else ""),
        "blocks": blocks,
    }


def parse_template_submission(state_values: dict[str, Any]) -> TemplateSpec:
    """The modal's inputs as a ``TemplateSpec`` (validated by the service when saved)."""

    def value(block: str) -> dict[str, Any]:
        return (state_values.get(block) or {}).get(VALUE) or {}

    chosen = (value(CATEGORY_BLOCK).get("selected_option") or {}).get("value") or GENERAL
    return TemplateSpec(
        name=(value(NAME_BLOCK).get("value") or "").strip(),
        body=value(BODY_BLOCK).get("value") or "",
        category=None if chosen == GENERAL else chosen,
        description=(value(DESCRIPTION_BLOCK).get("value") or "").strip(),
        ai_draft=bool(value(AI_BLOCK).get("selected_options")),
    )


def template_errors(exc: ValidationError) -> dict[str, str]:
    """``{block_id: message}`` for ``ack(response_action="errors", errors=...)``: the
    message goes under the input it is about (the text, unless it names another)."""
    block = FIELD_BLOCKS.get(str(exc.data.get("field") or "body"), BODY_BLOCK)
    return {block: short(str(exc), 150)}


def use_template_block(
    templates: list[TemplateView], *, category: str | None = None
) -> Block | None:
    """ "Use template" for the Edit draft modal: this category's templates first, then the
    general ones (at most 100, Slack's limit). None when there are none."""
    usable = [t for t in templates if t.is_active and (t.category in (None, category))]
    usable.sort(key=lambda t: (t.category is None, t.name.lower()))
    if not usable:
        return None
    return {
        "type": "actions",
        "block_id": USE_TEMPLATE_BLOCK,
        "elements": [
            {
                "type": "static_select",
                "action_id": USE_TEMPLATE_ACTION,
                "placeholder": plain("Use template…"),
                "options": [
                    {
                        "text": plain(short(t.name, 75)),
                        "value": str(t.id),
                        "description": plain(short(_category_label(t.category), 75)),
                    }
                    for t in usable[:100]
                ],
            }
        ],
    }


def template_preview_blocks(name: str, text: str, *, ticket_id: int | None = None) -> list[Block]:
    """A rendered template (for a ticket, or with sample values)."""
    about = f"for ticket #{ticket_id}" if ticket_id else "with sample values"
    blocks: list[Block] = [
        {"type": "context", "elements": [mrkdwn(f"Template *{escape(short(name, 100))}* {about}")]}
    ]
    blocks += [{"type": "section", "text": mrkdwn(part)} for part in split_text(escape(text), 2900)]
    return blocks[:50]
