"""Writes for surveys, one module per seam:

- `validation`: range and size checks of an answer;
- `responses`: recording an answer (one INSERT ... ON CONFLICT statement, every channel);
- `followup`: what follows an answer (the Celery sweep: delivery, fatigue, timeline, playbook
  signal, health, webhook) and the deferral that queues it;
- `audience`: a survey's audience, trigger and drip;
- `widget`, `emails`, `links`: the three channels' writes;
- `definitions`: the builder's writes (surveys and widget workspaces);
- `themes`: the report's theme tags recomputed on demand.

The public names are re-exported here, so `from surveys.services import survey_send` works.
"""

from .audience import survey_audience_contact_ids
from .definitions import survey_save, workspace_save
from .emails import email_answer, survey_send
from .followup import (
    FOLLOWUP_BATCH,
    FOLLOWUP_DELAY_SECONDS,
    FOLLOWUP_KEY,
    followup_soon,
    response_payload,
    responses_followup,
)
from .links import link_answer, survey_link_for_contact
from .responses import Recorded, edit_window, response_upsert
from .themes import themes_recompute_queue
from .validation import MAX_ANSWER_TEXT, MAX_ANSWERS, MAX_COMMENT, response_validate
from .widget import (
    AlreadyAnswered,
    IdentityInvalid,
    delivery_dismiss,
    widget_answer,
    widget_eligibility,
    widget_identify,
)

__all__ = [
    "FOLLOWUP_BATCH",
    "FOLLOWUP_DELAY_SECONDS",
    "FOLLOWUP_KEY",
    "MAX_ANSWERS",
    "MAX_ANSWER_TEXT",
    "MAX_COMMENT",
    "AlreadyAnswered",
    "IdentityInvalid",
    "Recorded",
    "delivery_dismiss",
    "edit_window",
    "email_answer",
    "followup_soon",
    "link_answer",
    "response_payload",
    "response_upsert",
    "response_validate",
    "responses_followup",
    "survey_audience_contact_ids",
    "survey_link_for_contact",
    "survey_save",
    "survey_send",
    "themes_recompute_queue",
    "widget_answer",
    "widget_eligibility",
    "widget_identify",
    "workspace_save",
]
