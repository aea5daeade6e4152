"""Accept reviewed proposals into a campaign: each row through campaigns.services.target_create
(which checks permission, validates and audits). All rows or none: one bad row changes nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from gongjian.campaigns.models import Campaign, Target
from gongjian.campaigns.services import TargetInput, target_create


@dataclass
class AcceptResult:
    created: list[Target]
    errors: dict[int, list[str]]  # row number → messages


class _RollBack(Exception):
    pass


def proposals_accept(*, actor, campaign: Campaign, rows: dict[int, TargetInput]) -> AcceptResult:
    """Create one target per reviewed row; when any row is refused, none is kept."""
    created: list[Target] = []
    errors: dict[int, list[str]] = {}
    try:
        with transaction.atomic():
            for number, data in rows.items():
                try:
                    with transaction.atomic():
                        created.append(target_create(actor=actor, campaign=campaign, data=data))
                except ValidationError as error:
                    errors[number] = [m for ms in error.message_dict.values() for m in ms]
            if errors:
                raise _RollBack
    except _RollBack:
        return AcceptResult(created=[], errors=errors)
    return AcceptResult(created=created, errors={})
