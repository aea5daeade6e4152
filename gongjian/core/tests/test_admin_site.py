"""Every admin page can be built: the inlines' forms of every registered model."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from gongjian.core.admin_site import ReadOnlyInline


def test_every_inline_formset_can_be_built():
    """A read-only inline listing a non-editable field (a stage event's recorded_at) made the
    project's admin page answer 500."""
    request = RequestFactory().get("/admin/")
    request.user = get_user_model()(is_superuser=True, is_active=True)
    built = []
    for model, model_admin in admin.site._registry.items():
        for inline in model_admin.get_inline_instances(request):
            inline.get_formset(request)
            built.append(f"{model._meta.label}:{inline.model._meta.label}")
            if isinstance(inline, ReadOnlyInline):
                assert set(inline.get_readonly_fields(request)) >= set(inline.fields or [])
    assert "projects.Project:projects.StageEvent" in built
