"""Emailing a survey to its whole audience ("Email the audience…" in the builder).

An admin first sees who will and will not be asked and why (`survey_send_preview`, a read over
the audience in keyset chunks, writing nothing), then confirms. The confirmation creates a
`SurveySendJob` (`send_job_create`) and queues `survey_send_job_task` after commit; the task
calls `send_job_step` once per chunk of the audience and queues itself again until the job is
done, so the request returns at once and the builder polls the job's progress.

Each step, in order:
1. plans the next chunk of contacts (the same rules as the preview: sample, fatigue budget,
   e-mail address, drip) and, in one transaction with moving the job's cursor, writes for each
   contact to e-mail its delivery, its fatigue touch and a `SurveySendRecipient` row
   (unique per job and contact);
2. e-mails the job's pending recipients in batches: a batch is claimed (`sending`) before its
   e-mails go and marked `sent` (or `failed`) right after. A claim left by a worker that died
   is marked `interrupted`, never sent again: a retry e-mails nobody twice.
A mail server that refuses to talk puts the unsent claims back to pending and raises
`MailUnavailable`: the task retries later from where it stopped, and after its last retry
fails the job, which an admin can resume (`send_job_resume`) once mail works again.

Counts of the preview and the job agree as long as nothing else spends the budget meanwhile.
"""

from .jobs import (
    PLAN_CHUNK,
    SEND_BATCH,
    MailUnavailable,
    SendInProgress,
    send_job_create,
    send_job_fail,
    send_job_resume,
    send_job_step,
)
from .message import survey_email_message
from .preview import (
    BUDGET_NOTE_SHARE,
    PREVIEW_CACHE_SECONDS,
    PREVIEW_MAX_AGE,
    SendPreview,
    preview_fresh,
    survey_budget_note,
    survey_send_preview,
    survey_send_preview_cached,
    surveys_budget_blocked,
)

__all__ = [
    "BUDGET_NOTE_SHARE",
    "PLAN_CHUNK",
    "PREVIEW_CACHE_SECONDS",
    "PREVIEW_MAX_AGE",
    "SEND_BATCH",
    "MailUnavailable",
    "SendInProgress",
    "SendPreview",
    "preview_fresh",
    "send_job_create",
    "send_job_fail",
    "send_job_resume",
    "send_job_step",
    "survey_budget_note",
    "survey_email_message",
    "survey_send_preview",
    "survey_send_preview_cached",
    "surveys_budget_blocked",
]
