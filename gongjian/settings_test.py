"""Settings for the test suite: test mode, and the database from DATABASE_URL (SQLite if unset)."""

import os

os.environ.setdefault("GONGJIAN_ENV", "test")
os.environ.setdefault("DATABASE_URL", "sqlite:///:memory:")

from gongjian.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
