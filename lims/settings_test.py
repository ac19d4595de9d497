"""Settings for the test suite: the same as production code paths, faster hashing,
tasks run inline unless a test starts a real worker, and a test-only queue so
a `make run` worker on the same machine never takes a test's task."""

import os

os.environ.setdefault("LIMS_CELERY_QUEUE", f"lims-test-{os.getpid()}")
os.environ.setdefault("LIMS_VAR_DIR", os.path.join(os.path.dirname(os.path.dirname(__file__)), "var", "test"))

from lims.settings import *  # noqa: E402,F401,F403
from lims.settings import DATABASES, VAR_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = os.environ.get("CELERY_TASK_ALWAYS_EAGER", "1") == "1"
MEDIA_ROOT = VAR_DIR / "media"

# A worker started by a test must see the test database: SQLite tests use a
# file (not memory), and a worker subprocess is pointed at it by
# LIMS_TEST_DATABASE_NAME.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # one file per test run, so two runs on one machine never share a database
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
if os.environ.get("LIMS_TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["LIMS_TEST_DATABASE_NAME"]
