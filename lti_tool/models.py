"""Import every model so that SQLAlchemy and Alembic see all tables."""
from .acknowledgements.models import Acknowledgement  # noqa: F401
from .conduct.models import ConductCode, ConductVersion  # noqa: F401
from .courses.models import Course, CourseMember, RosterSync, SchoolMember, User  # noqa: F401
from .gradebook.models import Placement, ScoreDelivery  # noqa: F401
from .exceptions.models import ExceptionSettings, PhoneException  # noqa: F401
from .cases.models import AuditEvent, CaseNote, CaseSettings, ChecklistEntry, MailMessage  # noqa: F401
from .reports.models import Report, ReportMessage  # noqa: F401
from .lti.models import LaunchSession, LinkPurpose, UsedNonce  # noqa: F401
from .platforms.models import AccessToken, Deployment, Platform, School, ToolKey  # noqa: F401
from .schoolcalendar.models import SchoolYearSettings  # noqa: F401
from .boards.models import Board, BoardMember, BoardSchool  # noqa: F401
from .privacy.models import PrivacySettings  # noqa: F401
