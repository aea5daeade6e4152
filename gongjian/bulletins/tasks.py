"""Background jobs of bulletins, queued in the database and run by `gongjian db_worker`."""

from __future__ import annotations

from django_tasks import task

from gongjian.bulletins.models import Bulletin
from gongjian.bulletins.services import bulletin_generate


@task()
def generate_bulletin(bulletin_id: int) -> str:
    """Make the file of a bulletin queued by ``services.bulletin_request``; answers its status."""
    bulletin = Bulletin.objects.select_related("campaign", "created_by").get(pk=bulletin_id)
    return bulletin_generate(bulletin=bulletin).status
