"""nbgrader in a trainee's server on the hub: the course's exchange, and the course shown
only to members of the hub group ``nbgrader-<course>`` (nbgrader's JupyterHubAuthPlugin
asks the hub, with the server's own token, which groups its owner is in)."""

import os

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (nbgrader provides it)

c.CourseDirectory.course_id = os.environ.get("FORENSICS_COURSE_ID", "mobile-drone-forensics")
c.Exchange.root = os.environ.get("FORENSICS_EXCHANGE_ROOT", "/srv/nbgrader/exchange")
c.Authenticator.plugin_class = JupyterHubAuthPlugin
# Who submits: nbgrader takes the system account's name (or JUPYTERHUB_USER when that is
# "jovyan", as in Z2JH images). Where several trainees share a system account (the demo
# spawner) the hub user must be named explicitly, or every submission is filed under it.
if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
