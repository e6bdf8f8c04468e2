"""Wording of the three survey kinds in the supported languages, and the per-language fallback.

Built-in texts are the tables below (hand-written until they move to gettext catalogues). An
admin's own wording is data on the survey, per language (`Survey.translations`):

    {"ar": {"question": "...", "follow_ups": {"q1": {"label": "...", "options": ["...", ...]}}}, ...}

Fallback is per language, never across languages: a text in language L is the survey's custom
text for L if written, else L's built-in text. A custom question written in the default language
therefore never shows on the Chinese page. Follow-up questions have no built-in wording: their
text in the survey's default language is `Survey.follow_ups`, and another language shows only
those it has a translation for (an untranslated question is left out rather than shown in a
language the contact did not ask for). `wording_status` tells the builder which languages are
complete.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.languages import language_is_bidi

from .choices import LANGUAGES

TEXT_KEYS = (
    "question",
    "comment_label",
    "placeholder",
    "submit",
    "dismiss",
    "low_label",
    "high_label",
    "thanks_unhappy",
    "thanks_neutral",
    "thanks_happy",
)

# What the builder calls each text.
TEXT_LABELS = {
    "question": gettext_lazy("Question"),
    "comment_label": gettext_lazy("“Why?” prompt"),
    "placeholder": gettext_lazy("Comment placeholder"),
    "submit": gettext_lazy("Send button"),
    "dismiss": gettext_lazy("Close button"),
    "low_label": gettext_lazy("Low end label"),
    "high_label": gettext_lazy("High end label"),
    "thanks_unhappy": gettext_lazy("Thank-you: detractor / low"),
    "thanks_neutral": gettext_lazy("Thank-you: passive / neutral"),
    "thanks_happy": gettext_lazy("Thank-you: promoter / high"),
}

_COMMON = {
    "en": {
        "comment_label": "What is the main reason for your score?",
        "placeholder": "Tell us more (optional)",
        "submit": "Send",
        "dismiss": "Close",
        "thanks_unhappy": "Thank you. We are sorry we let you down; someone from our team will follow up.",
        "thanks_neutral": "Thank you for your feedback. We will use it to improve.",
        "thanks_happy": "Thank you! Would you recommend us with a short review?",
    },
    "ar": {
        "comment_label": "ما السبب الرئيسي لتقييمك؟",
        "placeholder": "أخبرنا بالمزيد (اختياري)",
        "submit": "إرسال",
        "dismiss": "إغلاق",
        "thanks_unhappy": "شكرًا لك. نأسف لأننا خذلناك، وسيتواصل معك أحد أفراد فريقنا.",
        "thanks_neutral": "شكرًا على ملاحظاتك. سنستخدمها للتحسين.",
        "thanks_happy": "شكرًا لك! هل تود أن تكتب لنا مراجعة قصيرة؟",
    },
    "fa": {
        "comment_label": "دلیل اصلی امتیاز شما چیست؟",
        "placeholder": "بیشتر بگویید (اختیاری)",
        "submit": "ارسال",
        "dismiss": "بستن",
        "thanks_unhappy": "سپاسگزاریم. متأسفیم که ناامیدتان کردیم؛ یکی از همکاران ما با شما تماس می‌گیرد.",
        "thanks_neutral": "از بازخورد شما سپاسگزاریم. از آن برای بهبود استفاده می‌کنیم.",
        "thanks_happy": "سپاسگزاریم! آیا مایلید نظر کوتاهی درباره ما بنویسید؟",
    },
    "zh": {
        "comment_label": "您给出这个评分的主要原因是什么？",
        "placeholder": "请告诉我们更多（可选）",
        "submit": "提交",
        "dismiss": "关闭",
        "thanks_unhappy": "谢谢您。很抱歉让您失望了，我们的团队会尽快联系您。",
        "thanks_neutral": "感谢您的反馈，我们会用它来改进。",
        "thanks_happy": "谢谢！您愿意为我们写一条简短的评价吗？",
    },
}

_BY_KIND = {
    "nps": {
        "en": {
            "question": "How likely are you to recommend us to a friend or colleague?",
            "low_label": "Not likely",
            "high_label": "Very likely",
        },
        "ar": {
            "question": "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
            "low_label": "غير محتمل",
            "high_label": "محتمل جدًا",
        },
        "fa": {
            "question": "چقدر احتمال دارد ما را به یک دوست یا همکار توصیه کنید؟",
            "low_label": "بعید",
            "high_label": "خیلی محتمل",
        },
        "zh": {"question": "您有多大可能向朋友或同事推荐我们？", "low_label": "不太可能", "high_label": "非常可能"},
    },
    "csat": {
        "en": {
            "question": "How satisfied are you with our product?",
            "low_label": "Very unsatisfied",
            "high_label": "Very satisfied",
        },
        "ar": {"question": "ما مدى رضاك عن منتجنا؟", "low_label": "غير راضٍ إطلاقًا", "high_label": "راضٍ جدًا"},
        "fa": {"question": "چقدر از محصول ما راضی هستید؟", "low_label": "کاملاً ناراضی", "high_label": "بسیار راضی"},
        "zh": {"question": "您对我们的产品满意吗？", "low_label": "非常不满意", "high_label": "非常满意"},
    },
    "ces": {
        "en": {
            "question": "How easy was it to get done what you wanted today?",
            "low_label": "Very difficult",
            "high_label": "Very easy",
        },
        "ar": {"question": "ما مدى سهولة إنجاز ما أردته اليوم؟", "low_label": "صعب جدًا", "high_label": "سهل جدًا"},
        "fa": {
            "question": "امروز انجام کاری که می‌خواستید چقدر آسان بود؟",
            "low_label": "خیلی سخت",
            "high_label": "خیلی آسان",
        },
        "zh": {"question": "今天完成您想做的事情有多容易？", "low_label": "非常困难", "high_label": "非常容易"},
    },
}


def default_texts(kind: str, language: str) -> dict:
    return {**_COMMON.get(language, {}), **_BY_KIND.get(kind, {}).get(language, {})}


def survey_language(code: str | None) -> str:
    """Our code for a language tag, or "" when we have no wording for it: the exact code, its
    base language ("ar-EG" -> "ar", "fa_IR" -> "fa"), and Django's Chinese codes
    ("zh-hans", settings.LANGUAGES) or a region ("zh-CN") -> "zh"."""
    if not code:
        return ""
    code = str(code).strip().lower().replace("_", "-")
    if code in LANGUAGES:
        return code
    base = code.split("-")[0]
    return base if base in LANGUAGES else ""


def _custom(translations: dict | None, language: str) -> dict:
    value = (translations or {}).get(language)
    return value if isinstance(value, dict) else {}


def survey_texts(*, kind: str, default_language: str, translations: dict | None, language: str | None) -> dict:
    """Every text of TEXT_KEYS in one language, plus "language" and "dir". The requested language
    (if we speak it, else the survey's default language) with its custom texts over its built-in
    ones; English built-ins only fill a key a language's table lacks."""
    lang = survey_language(language) or survey_language(default_language) or "en"
    texts = {**default_texts(kind, "en"), **default_texts(kind, lang)}
    texts.update({k: v for k, v in _custom(translations, lang).items() if k in TEXT_KEYS and isinstance(v, str) and v})
    texts["language"] = lang
    texts["dir"] = "rtl" if language_is_bidi(lang) else "ltr"
    return texts


def follow_up_translation(translations: dict | None, language: str, question: dict) -> dict | None:
    """The translation of one follow-up question into `language`, if it fits the question (same
    number of options), else None."""
    entry = (_custom(translations, language).get("follow_ups") or {}).get(question["id"])
    if not isinstance(entry, dict) or not entry.get("label"):
        return None
    options = entry.get("options") or []
    if len(options) != len(question.get("options") or []):
        return None
    return {"label": entry["label"], "options": list(options)}


def survey_follow_ups(*, default_language: str, translations: dict | None, follow_ups: list | None, language: str):
    """The follow-up questions to show in `language`: each {"id", "type", "label", "options",
    "choices"}, where `options` are the stored values (default-language wording, what answers
    are validated and reported against) and `choices` the (value, label) pairs to show."""
    lang = survey_language(language) or survey_language(default_language) or "en"
    shown = []
    for question in follow_ups or []:
        options = list(question.get("options") or [])
        if lang == default_language:
            label, labels = question["label"], options
        else:
            translated = follow_up_translation(translations, lang, question)
            if translated is None:
                continue
            label, labels = translated["label"], translated["options"]
        shown.append(
            {**question, "label": label, "options": options, "choices": list(zip(options, labels, strict=True))}
        )
    return shown


@dataclass
class LanguageWording:
    code: str
    name: str
    is_default: bool
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing


def wording_status(*, default_language: str, translations: dict | None, follow_ups: list | None) -> list:
    """Per supported language: what the default language has custom wording for and this one
    lacks (it would show its built-in text instead, or leave a follow-up question out)."""
    default_custom = {k for k, v in _custom(translations, default_language).items() if k in TEXT_KEYS and v}
    result = []
    for code, name in LANGUAGES.items():
        status = LanguageWording(code=code, name=name, is_default=code == default_language)
        if not status.is_default:
            custom = _custom(translations, code)
            status.missing = [str(TEXT_LABELS[k]) for k in TEXT_KEYS if k in default_custom and not custom.get(k)]
            for question in follow_ups or []:
                if follow_up_translation(translations, code, question) is None:
                    status.missing.append(_("Follow-up “%(label)s”") % {"label": question["label"]})
        result.append(status)
    return result
