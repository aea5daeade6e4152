"""Loading and removing the Quanzhou 2022 demo data.

These writes bypass the per-row ledger services on purpose: thousands of ``project_create`` and
``project_record_stage`` calls would take minutes. What those services check (codes, amounts,
coordinates, stage order) the generator guarantees, and the demo's tests hold it to that. The
load still leaves a trail: a history row per project and one audit event for the whole load.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from gongjian.accounts.models import Department, Membership, User
from gongjian.audit.choices import AuditAction
from gongjian.audit.services import audit_record
from gongjian.demo.data import (
    CITY_ADMIN_ADMIN_PERMISSIONS,
    CODE_PREFIXES,
    DEMO_PASSWORD,
    DEMO_USERS,
)
from gongjian.demo.generator import ProjectSpec, generate
from gongjian.projects.choices import RECORDABLE_STAGES, Stage
from gongjian.projects.models import Category, IndustryChain, Project, ProjectQuerySet, StageEvent
from gongjian.projects.services import derive_stage
from gongjian.regions.models import Region

DEMO_USERNAMES: tuple[str, ...] = tuple(user.username for user in DEMO_USERS)
_BATCH_SIZE = 500


class DemoLoadRefused(Exception):
    """The demo data may not be loaded here (production, or a ledger that is not empty)."""


@dataclass(frozen=True)
class DemoSummary:
    """What a load wrote: projects per category, stage events per stage, users, what it removed."""

    projects_by_category: tuple[tuple[str, str, int], ...]  # (code, name, count)
    events_by_stage: tuple[tuple[str, str, int], ...]  # (stage, label, count)
    user_count: int
    removed_project_count: int

    @property
    def project_count(self) -> int:
        return sum(count for _code, _name, count in self.projects_by_category)

    @property
    def event_count(self) -> int:
        return sum(count for _stage, _label, count in self.events_by_stage)

    def describe(self) -> str:
        """One line in Chinese for the audit log."""
        categories = "、".join(
            _("%(name)s %(count)s 个") % {"name": name, "count": count}
            for _code, name, count in self.projects_by_category
        )
        text = _("载入泉州 2022 演示数据：%(categories)s，共 %(projects)s 个项目；") % {
            "categories": categories,
            "projects": self.project_count,
        } + _("阶段记录 %(events)s 条；演示账号 %(users)s 个。") % {
            "events": self.event_count,
            "users": self.user_count,
        }
        if self.removed_project_count:
            text += _("载入前已清除原演示项目 %(count)s 个。") % {
                "count": self.removed_project_count
            }
        return text


def demo_projects() -> ProjectQuerySet:
    """The projects the demo loader made, told apart by their code prefixes (ZD2022-, ZS2022-…)."""
    query = reduce(or_, (Q(code__startswith=f"{p}-") for p in CODE_PREFIXES.values()))
    return Project.objects.filter(query)


def demo_reset() -> int:
    """Delete the demo projects (with their stage events) and the demo users; return how many
    projects went. Other projects and users are left alone."""
    projects = demo_projects()
    StageEvent.objects.filter(project__in=projects).delete()
    removed = projects.count()
    # One by one through the ORM, so that simple_history records each deletion.
    projects.delete()
    User.objects.filter(username__in=DEMO_USERNAMES).delete()
    return removed


def demo_load(*, reset: bool = False) -> DemoSummary:
    """Load the demo users, projects and stage events in one transaction and audit the load.

    Refused in production, and, unless ``reset`` first removes the old demo data, when the
    ledger already holds any project.
    """
    if settings.IS_PRODUCTION:
        raise DemoLoadRefused(
            "演示数据只能在 GONGJIAN_ENV=demo 或 test 下载入。 / "
            "Demo data loads only with GONGJIAN_ENV=demo or test."
        )
    with transaction.atomic():
        removed = demo_reset() if reset else 0
        existing = Project.objects.count()
        if existing and not reset:
            raise DemoLoadRefused(
                f"台账中已有 {existing} 个项目，未载入演示数据；"
                "如需重新载入请使用 --reset，或使用 --if-empty 跳过。 / "
                f"The ledger already holds {existing} projects; nothing was loaded. "
                "Use --reset to reload the demo data or --if-empty to skip."
            )
        user_count = _load_users()
        _load_projects(generate())
        summary = _summarise(user_count=user_count, removed=removed)
        audit_record(
            actor=None,
            action=AuditAction.DEMO_LOADED,
            username="loaddemo",
            message=summary.describe(),
        )
    return summary


def _load_users() -> int:
    # One hash for every demo login: hashing nine times would cost seconds, and the demo
    # password is public anyway.
    password = make_password(DEMO_PASSWORD)
    region_codes = {spec.region_code for spec in DEMO_USERS}
    regions = {r.code: r for r in Region.objects.filter(code__in=region_codes)}
    departments = {d.code: d for d in Department.objects.all()}
    admin_permissions = _permissions(CITY_ADMIN_ADMIN_PERMISSIONS)
    for spec in DEMO_USERS:
        user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
        user.display_name = spec.display_name
        user.password = password
        user.is_active = True
        user.is_staff = spec.is_staff
        user.is_superuser = False
        user.save()
        Membership.objects.filter(user=user).delete()
        Membership.objects.create(
            user=user,
            region=regions[spec.region_code],
            role=spec.role,
            department=departments[spec.department_code] if spec.department_code else None,
        )
        # The Django admin asks for model permissions; region rules cannot answer module access.
        user.user_permissions.set(admin_permissions if spec.is_staff else [])
    return len(DEMO_USERS)


def _permissions(names: tuple[str, ...]) -> list[Permission]:
    pairs = [name.split(".", 1) for name in names]
    query = reduce(
        or_, (Q(content_type__app_label=app, codename=codename) for app, codename in pairs)
    )
    found = list(Permission.objects.filter(query))
    if len(found) != len(names):
        raise LookupError(f"missing permissions among {names}")
    return found


def _load_projects(specs: list[ProjectSpec]) -> None:
    regions = {r.code: r for r in Region.objects.filter(code__in={s.region_code for s in specs})}
    categories = {c.code: c for c in Category.objects.all()}
    chains = {c.code: c for c in IndustryChain.objects.all()}
    projects: list[Project] = []
    events_of: list[list[StageEvent]] = []
    for spec in specs:
        events = [StageEvent(stage=e.stage, date=e.date, note=e.note) for e in spec.events]
        projects.append(
            Project(
                code=spec.code,
                name=spec.name,
                region=regions[spec.region_code],
                category=categories[spec.category_code],
                industry_chain=chains[spec.industry_chain_code]
                if spec.industry_chain_code
                else None,
                owner_enterprise=spec.owner_enterprise,
                responsible_unit=spec.responsible_unit,
                total_investment=spec.total_investment,
                annual_plan=spec.annual_plan,
                longitude=spec.longitude,
                latitude=spec.latitude,
                description=spec.description,
                stage=derive_stage(events),
            )
        )
        events_of.append(events)
    created = bulk_create_with_history(
        projects, Project, batch_size=_BATCH_SIZE, default_change_reason="载入演示数据"
    )
    # SQLite ≥ 3.35 and PostgreSQL return the new keys, in order, from the bulk insert.
    for project, events in zip(created, events_of, strict=True):
        assert project.pk is not None
        for event in events:
            event.project = project
    StageEvent.objects.bulk_create(
        [event for events in events_of for event in events], batch_size=_BATCH_SIZE
    )


def _summarise(*, user_count: int, removed: int) -> DemoSummary:
    counts = dict(demo_projects().values_list("category__code").annotate(n=Count("id")).order_by())
    by_category = tuple(
        (category.code, category.name, counts.get(category.code, 0))
        for category in Category.objects.filter(code__in=CODE_PREFIXES)
    )
    stage_counts = dict(
        StageEvent.objects.filter(project__in=demo_projects())
        .values_list("stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = dict(Stage.choices)
    by_stage = tuple(
        (stage, str(labels[stage]), stage_counts.get(stage, 0)) for stage in RECORDABLE_STAGES
    )
    return DemoSummary(
        projects_by_category=by_category,
        events_by_stage=by_stage,
        user_count=user_count,
        removed_project_count=removed,
    )
