"""nbgrader in the formgrader service (instructors): grading/nbgrader_config.py (loaded
after this folder on JUPYTER_CONFIG_PATH) sets the course; this adds the hub's exchange."""

import os

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (nbgrader provides it)

c.CourseDirectory.course_id = os.environ.get("FORENSICS_COURSE_ID", "mobile-drone-forensics")
c.Exchange.root = os.environ.get("FORENSICS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
