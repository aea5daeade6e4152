"""The dispatch's panel on the project page: 前期工作, 要素保障 requests, 挂钩领导."""

from __future__ import annotations

from django import template

from gongjian.core.periods import today
from gongjian.dispatch import selectors
from gongjian.dispatch.forms import LinkForm

register = template.Library()


@register.inclusion_tag("dispatch/_project_panel.html", takes_context=True)
def project_dispatch_panel(context, project):
    user = context["request"].user
    as_of = today()
    can_link = user.has_perm("dispatch.manage_links", project)
    return {
        "project": project,
        "milestones": list(selectors.project_milestones(project=project)),
        "requests": list(selectors.project_factor_requests(user=user, project=project)),
        "links": list(selectors.project_links(project=project)),
        "reasons": selectors.light_reasons([project.pk], as_of=as_of).get(project.pk, []),
        "can_edit_milestones": user.has_perm("dispatch.edit_milestones", project),
        "can_raise": user.has_perm("projects.raise_problem", project),
        "link_form": LinkForm() if can_link else None,
        "can_link": can_link,
        "today": as_of,
        "csrf_token": context.get("csrf_token"),
    }
