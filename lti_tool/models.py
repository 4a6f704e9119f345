"""Import every model so that SQLAlchemy and Alembic see all tables."""
from .courses.models import Course, CourseMember, SchoolMember, User  # noqa: F401
from .lti.models import LaunchSession, LoginState  # noqa: F401
from .platforms.models import Deployment, Platform, School, ToolKey  # noqa: F401
