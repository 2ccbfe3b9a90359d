"""Business assumptions of the demo company: channels, products, currencies, seasons.

Numbers are per manager at full productivity and chosen so that scale 1 (40 managers,
24 months) gives about 100k leads, 40k deals, 800k activities and 15k invoices.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ChannelProfile:
    leads_per_month: float  # per manager; 0 for channels that start from a client
    qualify: float  # share of touched leads that become sales-qualified
    convert: float  # share of qualified leads that become deals
    stage_pass: tuple[float, ...]  # chance to reach contact, meeting, proposal, contract, invoice
    stage_days: float  # mean working days spent in one stage
    deal_rub: float  # median deal size, RUB
    competitive: float
    skip: float  # chance to skip a skippable stage
    lead_attempts: float  # extra activities on a lead before it is decided
    sources: tuple[str, ...]
    seller_share: float  # share of ordinary managers working the channel


PROFILES: dict[str, ChannelProfile] = {
    "active": ChannelProfile(
        44.0,
        0.34,
        0.80,
        (0.80, 0.68, 0.78, 0.74, 0.84),
        6.0,
        260_000,
        0.35,
        0.04,
        3.0,
        ("cold_call", "cold_email", "event", "networking", "linkedin"),
        1.0,
    ),
    "inbound": ChannelProfile(
        50.0,
        0.44,
        0.85,
        (0.88, 0.74, 0.80, 0.78, 0.86),
        3.5,
        130_000,
        0.30,
        0.05,
        1.5,
        ("website_form", "phone_call", "ads_landing", "chat"),
        1.0,
    ),
    "repeat": ChannelProfile(
        0.0,
        1.0,
        1.0,
        (0.96, 0.88, 0.88, 0.90, 0.92),
        2.5,
        180_000,
        0.10,
        0.35,
        1.0,
        ("existing_client",),
        1.0,
    ),
    "partner": ChannelProfile(
        16.0,
        0.50,
        0.85,
        (0.90, 0.75, 0.80, 0.78, 0.86),
        5.0,
        220_000,
        0.30,
        0.05,
        1.5,
        ("partner_portal", "reseller"),
        0.5,
    ),
    "vip": ChannelProfile(
        6.0,
        0.65,
        0.90,
        (0.92, 0.80, 0.80, 0.75, 0.88),
        11.0,
        1_100_000,
        0.50,
        0.03,
        2.5,
        ("referral", "networking", "event"),
        0.2,
    ),
}
DEFAULT_PROFILE = PROFILES["active"]
REPEAT_CHANNEL = "repeat"
VIP_CHANNEL = "vip"

ACQUISITION = {
    "cold_call": "cold",
    "cold_email": "cold",
    "linkedin": "cold",
    "event": "event",
    "networking": "networking",
    "website_form": "website",
    "phone_call": "website",
    "chat": "website",
    "ads_landing": "ads",
    "partner_portal": "partner",
    "reseller": "partner",
    "referral": "referral",
    "existing_client": "referral",
}

# Weak January/May/August, strong March and December.
SEASON = np.array([0.72, 0.95, 1.18, 1.05, 0.82, 1.0, 0.95, 0.8, 1.05, 1.1, 1.08, 1.25])
WEEKDAY = np.array([1.0, 0.97, 0.94, 0.9, 0.78])  # Monday .. Friday, relative to the best

CURRENCIES = ("RUB", "USD", "EUR", "KZT")
CLIENT_CURRENCY_SHARE = (0.85, 0.06, 0.05, 0.04)
# (level RUB per unit, lower bound, upper bound) of the daily random walk
FX_LEVELS = {"USD": (94.0, 88.0, 101.0), "EUR": (104.0, 98.0, 111.0), "KZT": (0.195, 0.178, 0.212)}

# (name, category, list price RUB, cost share of price, sold in half units)
PRODUCTS: tuple[tuple[str, str, int, float, bool], ...] = (
    ("CRM licence, 1 seat / year", "software", 24_000, 0.18, False),
    ("CRM licence, 10 seats / year", "software", 210_000, 0.18, False),
    ("Analytics module / year", "software", 96_000, 0.22, False),
    ("Telephony integration", "software", 45_000, 0.30, False),
    ("Mobile app add-on / year", "software", 36_000, 0.25, False),
    ("Implementation, hour", "services", 4_500, 0.55, True),
    ("Consulting, hour", "services", 6_000, 0.50, True),
    ("Data migration", "services", 80_000, 0.60, False),
    ("Custom integration", "services", 250_000, 0.58, False),
    ("Staff training, day", "training", 60_000, 0.45, False),
    ("Online course, seat", "training", 12_000, 0.20, False),
    ("Premium support / year", "support", 120_000, 0.35, False),
    ("Standard support / year", "support", 48_000, 0.35, False),
    ("Server appliance", "hardware", 390_000, 0.78, False),
    ("IP phone", "hardware", 9_500, 0.72, False),
    ("Headset", "hardware", 4_200, 0.70, False),
)

INDUSTRIES = (
    "it",
    "manufacturing",
    "retail",
    "logistics",
    "construction",
    "finance",
    "healthcare",
    "education",
    "hospitality",
    "agriculture",
)
TARGET_INDUSTRIES = ("it", "manufacturing", "retail", "logistics")
COMPANY_WORDS = (
    "Alfa",
    "Vega",
    "Orion",
    "Sever",
    "Volga",
    "Ural",
    "Baikal",
    "Neva",
    "Altai",
    "Kama",
    "Granit",
    "Vostok",
    "Zenit",
    "Polyus",
    "Sokol",
    "Tekhno",
    "Prom",
    "Stroy",
    "Trans",
    "Agro",
)
COMPANY_FORMS = ("OOO", "AO", "IP", "PAO")
FIRST_NAMES = (
    "Anna",
    "Ivan",
    "Olga",
    "Sergey",
    "Maria",
    "Dmitry",
    "Elena",
    "Alexey",
    "Natalia",
    "Pavel",
    "Irina",
    "Nikolay",
    "Tatiana",
    "Andrey",
    "Svetlana",
    "Mikhail",
    "Yulia",
    "Oleg",
)
LAST_NAMES = (
    "Ivanova",
    "Petrov",
    "Smirnova",
    "Kuznetsov",
    "Popova",
    "Volkov",
    "Sokolova",
    "Lebedev",
    "Kozlova",
    "Novikov",
    "Morozova",
    "Egorov",
    "Pavlova",
    "Orlov",
    "Fedorova",
    "Titov",
)
