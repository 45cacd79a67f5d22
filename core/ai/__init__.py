"""Triage providers (OpenAI, offline) behind one protocol, their prompts, the guardrails every
draft passes, adapting a reply people approved to a new mail, and the evaluation of triage on a labelled file. Knows nothing of the database:
may import the root of core and ``core.replies.rendering``.

Logs under ``core.ai`` (each module: ``logging.getLogger(__name__)``).
"""
