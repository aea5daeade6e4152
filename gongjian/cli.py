"""The ``gongjian`` console script: Django's manage.py for this project."""

import os
import sys

# Said after a settings error: the one thing a first-time user most likely wants instead.
DEMO_HINT = (
    "GONGJIAN_ENV=demo uses the demo database under var/ (make demo) / "
    "GONGJIAN_ENV=demo 使用 var/ 下的演示数据库"
)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        settings.INSTALLED_APPS  # noqa: B018  (reads the environment: a bad variable stops here)
    except ImproperlyConfigured as exc:
        # One line instead of Django's traceback: the settings name the variable themselves.
        sys.exit(f"gongjian: {exc}. {DEMO_HINT}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
