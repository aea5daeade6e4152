"""Settings for the test suite: test mode, and the database from DATABASE_URL (SQLite if unset)."""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

os.environ.setdefault("GONGJIAN_ENV", "test")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from gongjian.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Every test process (each pytest-xdist worker has its own database) keeps uploads and generated
# files in a directory of its own, removed when it ends: two workers never write the same path,
# and var/media stays the demo's.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="gongjian-test-media-"))
atexit.register(shutil.rmtree, MEDIA_ROOT, ignore_errors=True)
