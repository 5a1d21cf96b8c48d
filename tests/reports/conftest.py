"""The coverage fixtures (participants with enrolments, an agreement) serve the report tests."""

from tests.coverage.conftest import agreement, make_participant  # noqa: F401
