"""Duplicate detection for new leads: the same credit code, the same mobile number (by its keyed
hash) or the same normalised company name, among earlier leads and registered enterprises.

Matches are linked (``LeadDuplicate``) and shown on both leads; nothing is ever merged.
"""

from __future__ import annotations

import re
import unicodedata

from django.db import transaction
from django.utils import timezone

from gongjian.investment.choices import DuplicateReason
from gongjian.investment.models import Lead, LeadDuplicate
from gongjian.parks.models import Enterprise

# Longest first, so "股份有限公司" goes before "有限公司" can leave "股份" behind.
_LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "集团公司",
    "分公司",
    "公司",
    "集团",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "limited",
    "ltd.",
    "ltd",
)
_NOT_NAME = re.compile(r"[\s\W_]+", re.UNICODE)


def company_stem(name: str) -> str:
    """The name without surrounding space and its legal-form suffix, as written."""
    value = (name or "").strip()
    lowered = unicodedata.normalize("NFKC", value).lower()
    for suffix in _LEGAL_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return value[: len(value) - len(suffix)].strip()
    return value


def company_key(name: str) -> str:
    """The comparable form of a company name: full-width folded to half-width (NFKC), lower
    case, the legal-form suffix dropped, brackets, spaces and punctuation removed.

    "泉州恒达鞋业（集团）有限公司" and "泉州恒达鞋业(集团)有限公司 " give the same key.
    """
    stem = company_stem(name)
    folded = unicodedata.normalize("NFKC", stem).lower()
    return _NOT_NAME.sub("", folded)


def lead_find_duplicates(lead: Lead) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Earlier leads and enterprises matching ``lead``, each with the rules that matched, in
    rule order (credit code, mobile, name)."""
    leads: dict[int, list[str]] = {}
    enterprises: dict[int, list[str]] = {}
    earlier = Lead.objects.filter(is_spam=False).exclude(pk=lead.pk)

    def add(found: dict[int, list[str]], pks, reason: str) -> None:
        for pk in pks:
            reasons = found.setdefault(pk, [])
            if reason not in reasons:
                reasons.append(reason)

    if lead.uscc:
        add(
            leads, earlier.filter(uscc=lead.uscc).values_list("pk", flat=True), DuplicateReason.USCC
        )
        add(
            enterprises,
            Enterprise.objects.filter(uscc=lead.uscc).values_list("pk", flat=True),
            DuplicateReason.USCC,
        )
    if lead.mobile_digest:
        add(
            leads,
            earlier.filter(mobile_digest=lead.mobile_digest).values_list("pk", flat=True),
            DuplicateReason.MOBILE,
        )
    if lead.company_key:
        add(
            leads,
            earlier.filter(company_key=lead.company_key).values_list("pk", flat=True),
            DuplicateReason.NAME,
        )
        # The roster has no normalised column: narrow by the stem in SQL, compare keys here.
        stem = "".join(company_stem(lead.company).split())
        if stem:
            candidates = Enterprise.objects.filter(name__contains=stem).values_list("pk", "name")
            add(
                enterprises,
                [pk for pk, name in candidates if company_key(name) == lead.company_key],
                DuplicateReason.NAME,
            )
    return leads, enterprises


def lead_link_duplicates(lead: Lead) -> list[LeadDuplicate]:
    """Record what ``lead_find_duplicates`` finds; an enterprise with the lead's credit code
    becomes the lead's enterprise. Returns the links, leads first, in id order."""
    leads, enterprises = lead_find_duplicates(lead)
    with transaction.atomic():
        links = [
            LeadDuplicate(lead=lead, other_lead_id=pk, reasons=reasons)
            for pk, reasons in sorted(leads.items())
        ] + [
            LeadDuplicate(lead=lead, enterprise_id=pk, reasons=reasons)
            for pk, reasons in sorted(enterprises.items())
        ]
        LeadDuplicate.objects.filter(lead=lead).delete()
        LeadDuplicate.objects.bulk_create(links)
        by_code = [pk for pk, reasons in enterprises.items() if DuplicateReason.USCC in reasons]
        lead.enterprise_id = by_code[0] if by_code else lead.enterprise_id
        lead.dedup_checked_at = timezone.now()
        lead.save(update_fields=["enterprise", "dedup_checked_at", "updated_at"])
    return links
