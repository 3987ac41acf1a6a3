"""Hypothesis strategies that build VALID LPA drafts (DESIGN section 2), relative to TODAY.

Every draft drawn from `lpa_drafts()` keeps every rule in app/domain/rules.py; the keyword
arguments narrow the shape (type, channel, how many original and replacement attorneys, which
decision modes) so that a test can break exactly one rule of a draft it knows the shape of.

Personal values come from small pools that never spell a JSON pointer segment or a problem
code, so that a test can look for them in problems.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from hypothesis import strategies as st

from app.domain.draft import (
    AddressDraft,
    AttorneyDraft,
    CertificateProviderDraft,
    DonorDraft,
    LpaDraft,
    PersonToNotifyDraft,
    TrustCorporationDraft,
)
from app.domain.enums import (
    AppointmentType,
    Channel,
    HowAttorneysMakeDecisions,
    HowReplacementAttorneysStepIn,
    Language,
    LifeSustainingTreatmentOption,
    LpaType,
    WhenTheLpaCanBeUsed,
)

TODAY = date(2026, 11, 23)
ADULT_AGE = 18
MAX_PERSON_ATTORNEYS = 4
MAX_TRUST_CORPORATIONS = 2
MAX_PEOPLE_TO_NOTIFY = 5
MAX_RESTRICTIONS_LENGTH = 10_000


def years_before(day: date, years: int) -> date:
    """The same day `years` earlier; 29 February falls back to the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


LATEST_ADULT_BIRTH = years_before(TODAY, ADULT_AGE)  # 18 today
EARLIEST_MINOR_BIRTH = LATEST_ADULT_BIRTH + timedelta(days=1)  # 18 tomorrow
EARLIEST_BIRTH = years_before(TODAY, 105)

FIRST_NAMES = (
    "Amelia",
    "Bronwen",
    "Chidi",
    "Dafydd",
    "Eleri",
    "Farah",
    "Gwilym",
    "Hamza",
    "Isla",
    "Jerzy",
    "Kemi",
    "Lowri",
    "Mehmet",
    "Niamh",
    "Oluwaseun",
    "Priya",
    "Rhodri",
    "Siân",
    "Tomasz",
    "Zainab",
)
LAST_NAMES = (
    "Okafor",
    "Pritchard",
    "Kowalski",
    "Bhatt",
    "Llewellyn",
    "Ó Súilleabháin",
    "Smith-Jones",
    "Nguyen",
    "MacLeod",
    "Haddad",
)
EMAIL_LOCALS = ("amelia", "bron", "chidi.o", "dafydd", "farah_h", "j.kowalski", "priya+lpa")
EMAIL_DOMAINS = ("example.com", "example.org", "example.net")
STREETS = (
    "1 High Street",
    "22 Heol y Frenhines",
    "Flat 3, 10 Mill Lane",
    "The Old Rectory",
    "45 Victoria Road",
)
TOWNS = ("Cardiff", "Leeds", "Abertawe", "Belfast", "Inverness", "Norwich")
POSTCODES = ("CF10 1AA", "LS1 4AP", "SW1A 2AA", "BT1 5GS", "NR2 1TU")
COUNTRIES = ("GB", "IE", "FR", "DE", "PL", "ES", "IN", "NG", "JM", "US")
COMPANY_NAMES = ("Acme Trustees Ltd", "Cymru Trust Company plc", "Northern Fiduciary LLP")
COMPANY_NUMBERS = ("01234567", "SC123456", "NI987654", "09876543")
SENTENCES = (
    "My attorneys must not sell my house.",
    "Decisions about investments over £10,000 need two attorneys.",
    "Dafydd may act alone on day-to-day bills.",
    "Consult my daughter before any move into care.",
)

SIGNED_AT = datetime(2026, 11, 20, 10, 30, tzinfo=UTC)
_SIGNED = st.just(SIGNED_AT)  # the donor's signature and its witnessing are always dated

first_names = st.sampled_from(FIRST_NAMES)
last_names = st.sampled_from(LAST_NAMES)
adult_dates_of_birth = st.one_of(
    st.just(LATEST_ADULT_BIRTH),  # the limit: 18 today
    st.dates(min_value=EARLIEST_BIRTH, max_value=LATEST_ADULT_BIRTH),
)
minor_dates_of_birth = st.one_of(
    st.just(EARLIEST_MINOR_BIRTH),  # the limit: 18 tomorrow
    st.dates(min_value=EARLIEST_MINOR_BIRTH, max_value=TODAY),
)
emails = st.builds(
    lambda local, n, domain: f"{local}{n}@{domain}",
    st.sampled_from(EMAIL_LOCALS),
    st.integers(1, 999),
    st.sampled_from(EMAIL_DOMAINS),
)
phones = st.integers(100, 999).map(lambda n: f"07700 900{n}")
countries = st.sampled_from(COUNTRIES)
details = st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=3).map(" ".join)
channels = st.sampled_from(Channel)
restrictions = st.one_of(
    st.none(),
    st.just(""),
    details,
    st.just("R" * MAX_RESTRICTIONS_LENGTH),  # the limit
)


optional_phones = st.none() | phones
optional_first_names = st.none() | first_names
languages = st.sampled_from(Language)
optional_languages = st.none() | languages
_ADDRESSES = st.builds(
    AddressDraft,
    line1=st.sampled_from(STREETS),
    line2=st.none() | st.sampled_from(("Riverside", "Off Church Lane")),
    line3=st.none(),
    town=st.none() | st.sampled_from(TOWNS),
    postcode=st.none() | st.sampled_from(POSTCODES),
    country=countries,
)
_COMPANY_NAMES = st.sampled_from(COMPANY_NAMES)
_COMPANY_NUMBERS = st.sampled_from(COMPANY_NUMBERS)
_NO_EMAIL: st.SearchStrategy[str | None] = st.none()


def email_for(channel: Channel) -> st.SearchStrategy[str | None]:
    """An online actor needs an email; a paper actor must not have one."""
    return emails if channel is Channel.ONLINE else _NO_EMAIL


def addresses() -> st.SearchStrategy[AddressDraft]:
    return _ADDRESSES


@st.composite
def _donors(draw: st.DrawFn, channel: Channel) -> DonorDraft:
    return DonorDraft(
        first_names=draw(first_names),
        last_name=draw(last_names),
        date_of_birth=draw(adult_dates_of_birth),
        email=draw(st.none() | emails),  # optional on either channel, as in the LPA store
        other_names_known_by=draw(optional_first_names),
        contact_language_preference=draw(languages),
        address=draw(_ADDRESSES),
    )


@st.composite
def _attorneys(draw: st.DrawFn, appointment_type: AppointmentType) -> AttorneyDraft:
    channel = draw(channels)
    return AttorneyDraft(
        first_names=draw(first_names),
        last_name=draw(last_names),
        date_of_birth=draw(adult_dates_of_birth),
        email=draw(email_for(channel)),
        mobile=draw(optional_phones),
        channel=channel,
        appointment_type=appointment_type,
        address=draw(_ADDRESSES),
    )


@st.composite
def _trust_corporations(
    draw: st.DrawFn, appointment_type: AppointmentType
) -> TrustCorporationDraft:
    channel = draw(channels)
    return TrustCorporationDraft(
        name=draw(_COMPANY_NAMES),
        company_number=draw(_COMPANY_NUMBERS),
        email=draw(email_for(channel)),
        channel=channel,
        appointment_type=appointment_type,
        address=draw(_ADDRESSES),
    )


@st.composite
def _certificate_providers(draw: st.DrawFn) -> CertificateProviderDraft:
    channel = draw(channels)
    return CertificateProviderDraft(
        first_names=draw(first_names),
        last_name=draw(last_names),
        email=draw(email_for(channel)),
        phone=draw(phones),
        channel=channel,
        address=draw(_ADDRESSES),
    )


# Built once: hypothesis validates a strategy object the first time it is drawn from.
_DONORS = {c: _donors(c) for c in Channel}
_ATTORNEYS = {a: _attorneys(a) for a in AppointmentType}
_TRUST_CORPORATIONS = {a: _trust_corporations(a) for a in AppointmentType}
_CERTIFICATE_PROVIDERS = _certificate_providers()
_PEOPLE_TO_NOTIFY = st.builds(
    PersonToNotifyDraft, first_names=first_names, last_name=last_names, address=_ADDRESSES
)


def donors(channel: Channel) -> st.SearchStrategy[DonorDraft]:
    return _DONORS[channel]


def attorneys(appointment_type: AppointmentType) -> st.SearchStrategy[AttorneyDraft]:
    return _ATTORNEYS[appointment_type]


def trust_corporations(
    appointment_type: AppointmentType,
) -> st.SearchStrategy[TrustCorporationDraft]:
    return _TRUST_CORPORATIONS[appointment_type]


def certificate_providers() -> st.SearchStrategy[CertificateProviderDraft]:
    return _CERTIFICATE_PROVIDERS


def people_to_notify() -> st.SearchStrategy[PersonToNotifyDraft]:
    return _PEOPLE_TO_NOTIFY


ALL_MODES: tuple[HowAttorneysMakeDecisions, ...] = tuple(HowAttorneysMakeDecisions)
ALL_STEP_INS: tuple[HowReplacementAttorneysStepIn, ...] = tuple(HowReplacementAttorneysStepIn)
ALL_REPLACEMENT_MODES: tuple[HowAttorneysMakeDecisions | None, ...] = (None, *ALL_MODES)


_LPA_TYPES = st.sampled_from(LpaType)
_WHEN_USED = st.sampled_from(WhenTheLpaCanBeUsed)
_LIFE_SUSTAINING = st.sampled_from(LifeSustainingTreatmentOption)
_SOME_FOR_SOME = HowAttorneysMakeDecisions.JOINTLY_FOR_SOME_SEVERALLY_FOR_OTHERS


@functools.cache
def _between(low: int, high: int) -> st.SearchStrategy[int]:
    return st.integers(low, high)


def lpa_drafts(
    *,
    lpa_type: LpaType | None = None,
    channel: Channel | None = None,
    min_originals: int = 1,
    max_originals: int = MAX_PERSON_ATTORNEYS + MAX_TRUST_CORPORATIONS,
    min_replacements: int = 0,
    max_replacements: int = MAX_PERSON_ATTORNEYS + MAX_TRUST_CORPORATIONS,
    with_trust_corporations: bool = True,
    modes: Sequence[HowAttorneysMakeDecisions] = ALL_MODES,
    step_ins: Sequence[HowReplacementAttorneysStepIn] = ALL_STEP_INS,
    replacement_modes: Sequence[HowAttorneysMakeDecisions | None] = ALL_REPLACEMENT_MODES,
    max_people_to_notify: int = MAX_PEOPLE_TO_NOTIFY,
) -> st.SearchStrategy[LpaDraft]:
    """Valid drafts.

    1..4 attorneys and, for property and affairs only, 0..2 trust corporations, with at least
    one original among them. Originals and replacements are counted over both; `modes`,
    `step_ins` and `replacement_modes` are the choices drawn where the rules need one, so a
    caller can ask for e.g. two originals acting jointly. The bounds must be satisfiable.
    """
    lpa_types = _LPA_TYPES if lpa_type is None else st.just(lpa_type)
    lpa_channels = channels if channel is None else st.just(channel)
    mode_choices = st.sampled_from(modes)
    step_in_choices = st.sampled_from(step_ins)
    replacement_mode_choices = st.sampled_from([m for m in replacement_modes if m is not None])
    notify = st.lists(_PEOPLE_TO_NOTIFY, max_size=max_people_to_notify)

    @st.composite
    def build(draw: st.DrawFn) -> LpaDraft:
        kind = draw(lpa_types)
        lpa_channel = draw(lpa_channels)
        welfare = kind is LpaType.PERSONAL_WELFARE
        max_tcs = 0 if welfare or not with_trust_corporations else MAX_TRUST_CORPORATIONS
        capacity = MAX_PERSON_ATTORNEYS + max_tcs

        n_originals = draw(
            _between(max(1, min_originals), min(max_originals, capacity - min_replacements))
        )
        n_replacements = draw(
            _between(min_replacements, min(max_replacements, capacity - n_originals))
        )
        total = n_originals + n_replacements
        n_tcs = draw(_between(max(0, total - MAX_PERSON_ATTORNEYS), min(max_tcs, total - 1)))
        appointments = draw(
            st.permutations(
                [AppointmentType.ORIGINAL] * n_originals
                + [AppointmentType.REPLACEMENT] * n_replacements
            )
        )

        mode = draw(mode_choices) if n_originals > 1 else None
        several = mode is HowAttorneysMakeDecisions.JOINTLY_AND_SEVERALLY
        step_in = draw(step_in_choices) if n_replacements and several else None
        # the LPA store asks for the replacements' mode only in these cases, refusing it otherwise
        replacement_mode = (
            draw(replacement_mode_choices)
            if n_replacements > 1
            and (
                n_originals == 1
                or mode is HowAttorneysMakeDecisions.JOINTLY
                or (several and step_in is HowReplacementAttorneysStepIn.ALL_CAN_NO_LONGER_ACT)
            )
            else None
        )

        return LpaDraft(
            lpa_type=kind,
            channel=lpa_channel,
            language=draw(languages),
            donor=draw(_DONORS[lpa_channel]),
            attorneys=[draw(_ATTORNEYS[a]) for a in appointments[n_tcs:]],
            trust_corporations=[draw(_TRUST_CORPORATIONS[a]) for a in appointments[:n_tcs]],
            certificate_provider=draw(_CERTIFICATE_PROVIDERS),
            people_to_notify=draw(notify),
            how_attorneys_make_decisions=mode,
            how_attorneys_make_decisions_details=draw(details) if mode is _SOME_FOR_SOME else None,
            how_replacement_attorneys_make_decisions=replacement_mode,
            how_replacement_attorneys_make_decisions_details=(
                draw(details) if replacement_mode is _SOME_FOR_SOME else None
            ),
            how_replacement_attorneys_step_in=step_in,
            how_replacement_attorneys_step_in_details=(
                draw(details) if step_in is HowReplacementAttorneysStepIn.ANOTHER_WAY else None
            ),
            when_the_lpa_can_be_used=None if welfare else draw(_WHEN_USED),
            life_sustaining_treatment_option=draw(_LIFE_SUSTAINING) if welfare else None,
            restrictions_and_conditions=draw(restrictions),
            signed_at=draw(_SIGNED),
            witnessed_by_certificate_provider_at=draw(_SIGNED),
        )

    return build()
