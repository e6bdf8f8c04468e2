"""Default wording of the three survey kinds in the supported languages. An admin overrides any
text per language in the builder (Survey.translations)."""

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
