"""The WSGI entry point (gunicorn ``gongjian.wsgi:application``).

``GET /-/alive`` is answered here, before Django: a liveness probe for a load balancer that says
the process accepts requests, touching neither the database nor a session. The dashboard
benchmark reads it as the floor of what any request costs on this server.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongjian.settings")
_django = get_wsgi_application()

ALIVE_PATH = "/-/alive"


def application(environ, start_response):
    if environ.get("PATH_INFO") == ALIVE_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "3"),
                ("Cache-Control", "no-store"),
            ],
        )
        return [b"ok\n"]
    return _django(environ, start_response)
