"""nbgrader configuration of the course "Introduction to mobile and drone forensics".

The source assignments are the kit's ``notebooks/<lab>/`` folders (read in place); the
built course (release, submitted, autograded, feedback, gradebook) lives under
``build/course`` (git-ignored). ``FORENSICS_COURSE_ROOT`` moves it elsewhere.
"""

import os
import sys
from pathlib import Path

c = get_config()  # type: ignore[name-defined]  # noqa: F821  (nbgrader provides it)

KIT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT / "grading"))  # for feedback_filters, wherever nbgrader runs
COURSE_ROOT = Path(os.environ.get("FORENSICS_COURSE_ROOT", KIT / "build" / "course"))
# The autograder's kernels inherit this process's environment: they find the course secret
# (and so each trainee's answer key) through it, also when nbgrader is run by hand.
os.environ.setdefault("FORENSICS_COURSE_ROOT", str(COURSE_ROOT))

c.CourseDirectory.course_id = "mobile-drone-forensics"
c.CourseDirectory.root = str(COURSE_ROOT)
# An absolute path: nbgrader joins it onto the root, which keeps it as is.
c.CourseDirectory.source_directory = str(KIT / "notebooks")
c.CourseDirectory.db_url = f"sqlite:///{COURSE_ROOT / 'gradebook.db'}"
# Data files a lab needs travel with its notebook; build outputs never do.
# exports/ is where the labs write their KML and WAV files (a source notebook run in place).
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    ".*",
    "exports",
]
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 120
c.ExecutePreprocessor.timeout = 120

# Feedback shows the trainee's notebook with marks; hidden tests stay hidden there too
# (they only call forensics_datasets.course.check, but their text is the instructor's):
# their source is cleared and failed tests show their message, not their code.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.ClearHiddenTests",
    "feedback_filters.ShortTracebacks",
    "nbgrader.preprocessors.GetGrades",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
