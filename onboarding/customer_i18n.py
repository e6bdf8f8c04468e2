# ruff: noqa: E501  (translations read best as one line each)
"""The customer's shared plan page speaks the contact's language (Contact.language). The page
has a handful of fixed strings, kept here per language (the languages of settings.LANGUAGES);
the plan's own words (stage and goal titles) are shown as the CSM wrote them."""

STRINGS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Success plan",
        "for": "Success plan for {account}",
        "intro": "Where you are today, where you want to be, and the steps in between. Tick the items you own as you complete them.",
        "now": "You are here",
        "target": "Your goal",
        "progress": "{done} of {total} done",
        "goals": "Goals and milestones",
        "owner_you": "Your team",
        "owner_us": "Your success manager",
        "auto": "Automatic",
        "due": "Due {date}",
        "done": "Done",
        "mark_done": "Mark done",
        "undo": "Undo",
        "resources": "Resources for this stage",
        "expires": "This link is valid until {date}.",
        "gone_title": "This link no longer works",
        "gone_revoked": "Your success manager has withdrawn this link. Ask them for a new one.",
        "gone_expired": "This link has expired. Ask your success manager for a new one.",
        "invalid_title": "Link not found",
        "invalid_body": "This link is not valid. Check that you copied all of it.",
        "stage_done": "Completed",
        "language": "Language",
    },
    "ar": {
        "title": "خطة النجاح",
        "for": "خطة النجاح لـ {account}",
        "intro": "أين أنتم اليوم، وإلى أين تريدون الوصول، والخطوات بينهما. ضعوا علامة على البنود التي تخصكم عند إنجازها.",
        "now": "أنتم هنا",
        "target": "هدفكم",
        "progress": "تم إنجاز {done} من {total}",
        "goals": "الأهداف والمراحل",
        "owner_you": "فريقكم",
        "owner_us": "مدير نجاحكم",
        "auto": "تلقائي",
        "due": "الموعد {date}",
        "done": "تم",
        "mark_done": "وضع علامة كمنجز",
        "undo": "تراجع",
        "resources": "موارد لهذه المرحلة",
        "expires": "هذا الرابط صالح حتى {date}.",
        "gone_title": "هذا الرابط لم يعد يعمل",
        "gone_revoked": "سحب مدير نجاحكم هذا الرابط. اطلبوا منه رابطًا جديدًا.",
        "gone_expired": "انتهت صلاحية هذا الرابط. اطلبوا رابطًا جديدًا من مدير نجاحكم.",
        "invalid_title": "الرابط غير موجود",
        "invalid_body": "هذا الرابط غير صالح. تأكدوا من نسخه كاملًا.",
        "stage_done": "مكتملة",
        "language": "اللغة",
    },
    "fa": {
        "title": "برنامه موفقیت",
        "for": "برنامه موفقیت برای {account}",
        "intro": "امروز کجا هستید، می‌خواهید به کجا برسید و گام‌های میان آن دو. مواردی را که مسئولش هستید پس از انجام علامت بزنید.",
        "now": "شما اینجا هستید",
        "target": "هدف شما",
        "progress": "{done} از {total} انجام شده",
        "goals": "اهداف و نقاط عطف",
        "owner_you": "تیم شما",
        "owner_us": "مدیر موفقیت شما",
        "auto": "خودکار",
        "due": "مهلت {date}",
        "done": "انجام شد",
        "mark_done": "علامت انجام",
        "undo": "بازگردانی",
        "resources": "منابع این مرحله",
        "expires": "این پیوند تا {date} معتبر است.",
        "gone_title": "این پیوند دیگر کار نمی‌کند",
        "gone_revoked": "مدیر موفقیت شما این پیوند را لغو کرده است. پیوند تازه‌ای بخواهید.",
        "gone_expired": "این پیوند منقضی شده است. از مدیر موفقیت خود پیوند تازه‌ای بخواهید.",
        "invalid_title": "پیوند پیدا نشد",
        "invalid_body": "این پیوند معتبر نیست. مطمئن شوید همه آن را کپی کرده‌اید.",
        "stage_done": "کامل شد",
        "language": "زبان",
    },
    "zh-hans": {
        "title": "成功计划",
        "for": "{account} 的成功计划",
        "intro": "您现在的位置、想要达到的目标，以及其间的步骤。完成您负责的事项后请勾选。",
        "now": "当前阶段",
        "target": "您的目标",
        "progress": "已完成 {done} / {total}",
        "goals": "目标与里程碑",
        "owner_you": "您的团队",
        "owner_us": "您的客户成功经理",
        "auto": "自动",
        "due": "截止 {date}",
        "done": "已完成",
        "mark_done": "标记完成",
        "undo": "撤销",
        "resources": "本阶段资源",
        "expires": "此链接有效期至 {date}。",
        "gone_title": "此链接已失效",
        "gone_revoked": "您的客户成功经理已撤回此链接，请向其索取新链接。",
        "gone_expired": "此链接已过期，请向您的客户成功经理索取新链接。",
        "invalid_title": "未找到链接",
        "invalid_body": "此链接无效，请确认已完整复制。",
        "stage_done": "已完成",
        "language": "语言",
    },
}

LANGUAGE_NAMES = {"en": "English", "ar": "العربية", "fa": "فارسی", "zh-hans": "中文"}


def customer_language(requested: str | None, contact_language: str | None) -> str:
    """The explicit choice (?lang=) if we speak it, else the contact's language (its base
    language too: "ar-EG" -> "ar", "zh-CN" -> "zh-hans"), else English."""
    for candidate in (requested, contact_language):
        if not candidate:
            continue
        code = candidate.lower().replace("_", "-")
        if code in STRINGS:
            return code
        if code.startswith("zh"):
            return "zh-hans"
        base = code.split("-")[0]
        if base in STRINGS:
            return base
    return "en"


def strings_for(language: str) -> dict[str, str]:
    return STRINGS.get(language, STRINGS["en"])
