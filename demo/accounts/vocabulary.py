"""The words and weights the accounts step draws from: company names, segments and tiers,
languages and names, personas, usage events, ticket subjects, timeline notes."""

import numpy as np

from accounts.choices import ActivityKind, TicketPriority, Tier

PREFIXES = (
    "North Blue Silver Bright Red Green Iron Swift Clear Stone Summit Harbor Pioneer Atlas Nova Orbit Vertex "
    "Cedar Maple Falcon Lumen Quantum Apex Beacon Crescent Delta Echo Fjord Granite Horizon Juniper Kestrel "
    "Lattice Meridian Nimbus Onyx Polar Quill Ridge Sierra Tidal Vector Willow Zephyr Aurora Cobalt Drift Ember "
    "Golden Hollow"
).split()
ROOTS = (
    "wind stream leaf point bridge field gate path works line stack forge wave light bay peak mark loop grid cast"
).split()
# suffix -> industry ("" picks one)
SUFFIXES = {
    "": "",
    " Labs": "Software",
    " Systems": "Software",
    " Health": "Healthcare",
    " Logistics": "Logistics",
    " Analytics": "Software",
    " Retail": "Retail",
    " Capital": "Financial services",
    " Software": "Software",
    " Energy": "Energy",
    " Media": "Media",
    " Foods": "Food & beverage",
    " Robotics": "Manufacturing",
    " Bank": "Financial services",
    " Insurance": "Insurance",
    " Group": "",
    " Technologies": "Software",
    " Studio": "Media",
    " Networks": "Telecommunications",
    " Pharma": "Life sciences",
}
INDUSTRIES = ["Software", "Retail", "Financial services", "Healthcare", "Manufacturing", "Education", "Logistics"]
QUALIFIERS = ["EMEA", "APAC", "Americas", "Nordics", "DACH", "UK", "Japan", "India", "Brasil", "Canada"]
TLDS = [".com", ".com", ".com", ".io", ".ai", ".co", ".net"]

SEGMENTS = [("Enterprise", 0.10), ("Mid-Market", 0.30), ("SMB", 0.60)]
TIER_BY_SEGMENT = {
    "Enterprise": [(Tier.STRATEGIC, 0.35), (Tier.KEY, 0.65)],
    "Mid-Market": [(Tier.KEY, 0.30), (Tier.STANDARD, 0.70)],
    "SMB": [(Tier.STANDARD, 0.40), (Tier.TECH_TOUCH, 0.60)],
}
# the weights' sums, summed as _weighted would (same floats, so the same draws)
SEGMENTS_TOTAL = sum(w for _, w in SEGMENTS)
TIER_TOTALS = {segment: sum(w for _, w in pairs) for segment, pairs in TIER_BY_SEGMENT.items()}
# tier -> (plan, MRR range, seats range, contacts bounds, events a day per account, tickets a year)
TIER_PROFILE = {
    Tier.STRATEGIC: ("Enterprise", (18000, 60000), (60, 220), (14, 150), 8.2, 18),
    Tier.KEY: ("Business", (4500, 16000), (20, 70), (7, 50), 2.4, 9),
    Tier.STANDARD: ("Growth", (900, 4200), (6, 20), (3, 14), 0.53, 4),
    Tier.TECH_TOUCH: ("Starter", (59, 790), (2, 8), (1, 6), 0.12, 1.2),
}
PLAN_LADDER = ["Starter", "Growth", "Business", "Enterprise"]

# language -> (weight, time zones)
LANGUAGES = {
    "en": (62, ["America/New_York", "America/Chicago", "America/Los_Angeles", "Europe/London", "Australia/Sydney"]),
    "de": (8, ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich"]),
    "fr": (7, ["Europe/Paris", "America/Montreal"]),
    "es": (8, ["Europe/Madrid", "America/Mexico_City", "America/Bogota"]),
    "ar": (5, ["Asia/Dubai", "Asia/Riyadh", "Africa/Cairo"]),
    "fa": (4, ["Asia/Tehran"]),
    "zh": (6, ["Asia/Shanghai", "Asia/Singapore", "Asia/Taipei"]),
}
# language -> (first names, last names) as (display, ascii for e-mail)
NAMES = {
    "en": (
        "James Olivia Liam Emma Noah Ava Lucas Mia Ethan Sophia Mason Isabella Logan Charlotte Aiden Amelia "
        "Grace Henry Chloe Jack".split(),
        "Smith Johnson Brown Taylor Anderson Thomas Moore Martin Clark Lewis Walker Hall Young King Wright "
        "Scott Green Baker Adams Nelson".split(),
    ),
    "de": (
        "Lukas Anna Felix Lena Jonas Marie Paul Laura".split(),
        "Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann".split(),
    ),
    "fr": (
        "Louis Camille Hugo Léa Jules Chloé Arthur Manon".split(),
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand".split(),
    ),
    "es": (
        "Mateo Lucía Santiago Sofía Diego Valentina Javier Carmen".split(),
        "García Fernández López Martínez Sánchez Pérez Gómez Díaz".split(),
    ),
    "ar": (
        [
            ("محمد", "mohammed"),
            ("أحمد", "ahmed"),
            ("فاطمة", "fatima"),
            ("ليلى", "layla"),
            ("عمر", "omar"),
            ("نور", "nour"),
            ("يوسف", "youssef"),
            ("سارة", "sara"),
        ],
        [
            ("العلي", "alali"),
            ("حداد", "haddad"),
            ("الخطيب", "alkhatib"),
            ("منصور", "mansour"),
            ("السيد", "elsayed"),
            ("ناصر", "nasser"),
        ],
    ),
    "fa": (
        [
            ("علی", "ali"),
            ("زهرا", "zahra"),
            ("رضا", "reza"),
            ("مریم", "maryam"),
            ("حسین", "hossein"),
            ("نگار", "negar"),
            ("امیر", "amir"),
            ("شیرین", "shirin"),
        ],
        [
            ("احمدی", "ahmadi"),
            ("حسینی", "hosseini"),
            ("رضایی", "rezaei"),
            ("کریمی", "karimi"),
            ("موسوی", "mousavi"),
            ("محمدی", "mohammadi"),
        ],
    ),
    "zh": (
        [
            ("伟", "wei"),
            ("芳", "fang"),
            ("娜", "na"),
            ("敏", "min"),
            ("静", "jing"),
            ("磊", "lei"),
            ("洋", "yang"),
            ("婷", "ting"),
        ],
        [
            ("王", "wang"),
            ("李", "li"),
            ("张", "zhang"),
            ("刘", "liu"),
            ("陈", "chen"),
            ("杨", "yang"),
            ("黄", "huang"),
            ("赵", "zhao"),
        ],
    ),
}
ASCII = str.maketrans("üöäéèáíóúñç", "uoaeeaiounc")
LANGUAGE_WEIGHTS = [(lang, w) for lang, (w, _) in LANGUAGES.items()]
LANGUAGE_TOTAL = sum(w for _, w in LANGUAGE_WEIGHTS)
# names as they go into e-mail addresses
NAME_ASCII = {
    name: name.lower().translate(ASCII)
    for firsts, lasts in NAMES.values()
    for name in firsts + lasts
    if isinstance(name, str)
}

PERSONAS = {
    "Executive sponsor": (
        "Signs the renewal; wants ROI in numbers.",
        ["VP Operations", "COO", "CTO", "Chief Data Officer"],
    ),
    "Champion": (
        "Runs the rollout and argues for us inside.",
        ["Director of Analytics", "Head of RevOps", "Head of Data"],
    ),
    "Admin": ("Configures users, SSO and integrations.", ["IT Administrator", "Systems Administrator", "Ops Manager"]),
    "Analyst": ("Builds reports and dashboards every day.", ["Data Analyst", "BI Analyst", "Financial Analyst"]),
    "End user": (
        "Reads dashboards, gets alerts.",
        ["Account Executive", "Support Lead", "Marketing Manager", "Engineer"],
    ),
}

# event name -> (weight, properties JSON)
EVENTS = {
    "login": (30, "{}"),
    "dashboard_viewed": (22, "{}"),
    "report_viewed": (14, "{}"),
    "report_created": (6, '{"template": "weekly"}'),
    "export_run": (5, '{"format": "csv"}'),
    "automation_run": (8, "{}"),
    "api_call": (7, '{"endpoint": "/v2/query"}'),
    "comment_added": (4, "{}"),
    "alert_configured": (2, "{}"),
    "user_invited": (1.5, "{}"),
    "integration_connected": (0.5, '{"integration": "salesforce"}'),
}
EVENT_NAMES = list(EVENTS)
EVENT_P = np.array([w for w, _ in EVENTS.values()]) / sum(w for w, _ in EVENTS.values())
EVENT_PROPS = [p for _, p in EVENTS.values()]
HOUR_WEIGHTS = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 14, 13, 10, 12, 14, 14, 12, 9, 6, 4, 3, 2, 1, 1], float)
HOUR_P = HOUR_WEIGHTS / HOUR_WEIGHTS.sum()
# cumulative distributions: a uniform draw u picks searchsorted(CDF, u, "right") (inverse CDF),
# ~3x cheaper than Generator.choice(p=...) for a few hundred draws
HOUR_CDF = np.cumsum(HOUR_P)
EVENT_CDF = np.cumsum(EVENT_P)

TICKET_SUBJECTS = [
    "SSO login fails for new users",
    "Export to CSV times out",
    "Dashboard numbers differ from Salesforce",
    "How do I share a report with read-only users?",
    "Salesforce sync stopped overnight",
    "Invoice shows the wrong seat count",
    "API rate limit errors (429)",
    "Scheduled report e-mails not arriving",
    "Request: SAML group mapping",
    "Alert fired twice for the same event",
    "Slow load on the adoption dashboard",
    "Cannot remove a deactivated user",
]
TOUCH_TEMPLATES = {
    ActivityKind.NOTE: [
        ("Adoption check", "Usage steady in {team}; {contact} asked about advanced alerting. Sent the guide."),
        ("Stakeholder map updated", "New day-to-day owner: {contact}. The exec sponsor is unchanged."),
        ("Risk note", "Fewer logins from {team} since their reorg. Offered a refresher session."),
        ("Expansion signal", "{team} wants dashboards for two more regions; seat limit close. Loop in the AE."),
    ],
    ActivityKind.CALL: [
        ("Weekly sync", "Walked {contact} through the new automation builder. Next: connect the warehouse."),
        ("Renewal prep call", "Reviewed value delivered this year with {contact}; pricing questions for procurement."),
        ("Escalation follow-up", "Confirmed the sync fix with {contact}; they want a post-mortem summary."),
    ],
    ActivityKind.MEETING: [
        (
            "Quarterly business review",
            "QBR with {contact} and the sponsor: goals met for {team}, next quarter focuses on reporting.",
        ),
        ("Onboarding workshop", "Trained {team} on dashboards and alerts; 12 attendees, recording shared."),
        ("Success plan review", "Agreed milestones with {contact}: SSO live, weekly exec report, 80% seat activation."),
    ],
    ActivityKind.EMAIL: [
        ("Release highlights", "Sent {contact} the release notes with the features {team} asked for."),
        ("Check-in", "Asked {contact} how the rollout to {team} is going and offered office hours."),
        ("Training invite", "Invited {team} to next week's admin webinar."),
    ],
}
TEAMS = ["finance", "sales ops", "support", "the data team", "marketing", "operations", "IT"]
TOUCH_KINDS = [(ActivityKind.NOTE, 35), (ActivityKind.CALL, 25), (ActivityKind.MEETING, 25), (ActivityKind.EMAIL, 25)]
TOUCH_KINDS_KEY = [(k, 15 if k == ActivityKind.MEETING else w) for k, w in TOUCH_KINDS]
PRIORITIES = [
    (TicketPriority.LOW, 20),
    (TicketPriority.NORMAL, 55),
    (TicketPriority.HIGH, 20),
    (TicketPriority.URGENT, 5),
]
PRIORITIES_TOTAL = sum(w for _, w in PRIORITIES)
