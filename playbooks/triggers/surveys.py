"""Survey trigger: an NPS or CSAT answer of a kind (detractor, promoter, low CSAT...)."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q
from django.utils.translation import gettext_lazy, gettext_noop

from ..choices import TriggerType
from ..reasons import day, label, number, say
from .base import EVENT_RESPONSE_RECORDED, Match, Param, Trigger
from .registry import register

SURVEY_ANSWERS = (
    ("detractor", gettext_lazy("NPS detractor (0–6)")),
    ("passive", gettext_lazy("NPS passive (7–8)")),
    ("promoter", gettext_lazy("NPS promoter (9–10)")),
    ("low_csat", gettext_lazy("Low CSAT (1–2)")),
)
_ANSWER_FILTER = {
    "detractor": Q(kind="nps", score__lte=6),
    "passive": Q(kind="nps", score__gte=7, score__lte=8),
    "promoter": Q(kind="nps", score__gte=9),
    "low_csat": Q(kind="csat", score__lte=2),
}


# The answer as the reason names it ("NPS 2 (detractor) from ...").
ANSWER_WORDS = {
    "detractor": gettext_noop("detractor"),
    "passive": gettext_noop("passive"),
    "promoter": gettext_noop("promoter"),
    "low_csat": gettext_noop("low"),
}


@register
class SurveyAnswer(Trigger):
    type = TriggerType.SURVEY_ANSWER
    reusable_sql = True
    params = (
        Param("answer", gettext_lazy("Answer"), "choice", "detractor", SURVEY_ANSWERS),
        Param("lookback_days", gettext_lazy("Answered within (days)"), "int", 3, min=1, max=60),
    )
    events = (EVENT_RESPONSE_RECORDED,)
    account_path = "account"
    fields = (
        "pk",
        "account_id",
        "kind",
        "score",
        "comment",
        "submitted_at",
        "contact_id",
        "contact__name",
        "contact__email",
    )

    def summary(self, p):
        return dict(SURVEY_ANSWERS)[p["answer"]]

    def queryset(self, p, ctx):
        try:
            from surveys.models import SurveyResponse
        except ImportError:
            return None
        return (
            SurveyResponse.objects.customer_answers()  # imported history fires no playbook
            .filter(account__isnull=False)
            .filter(_ANSWER_FILTER[p["answer"]])
            .filter(submitted_at__gt=ctx.now - timedelta(days=p["lookback_days"]), submitted_at__lte=ctx.now)
            .order_by("account_id", "-submitted_at", "-pk")
        )

    def match(self, row, p, ctx):
        who = row["contact__name"] or row["contact__email"] or label(gettext_noop("an anonymous contact"))
        comment = row["comment"].strip()
        said = {
            "kind": row["kind"].upper(),
            "score": number(row["score"]),
            "answer": label(ANSWER_WORDS[p["answer"]]),
            "who": who,
            "day": day(row["submitted_at"]),
        }
        if comment:
            said["comment"] = comment[:140] + ("…" if len(comment) > 140 else "")
            reason = say(gettext_noop('%(kind)s %(score)s (%(answer)s) from %(who)s on %(day)s: "%(comment)s"'), **said)
        else:
            reason = say(gettext_noop("%(kind)s %(score)s (%(answer)s) from %(who)s on %(day)s"), **said)
        return Match(
            account_id=row["account_id"],
            key=f"response:{row['pk']}",
            reason=reason,
            signal={
                "response_id": row["pk"],
                "contact_id": row["contact_id"],  # the person page lists the tasks about them
                "kind": row["kind"],
                "score": row["score"],
                "comment": comment[:500],
            },
        )
