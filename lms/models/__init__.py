"""Database models, one module per aggregate; importing this registers them all."""
from lms.models.account import Consent, DeviceSession, OneTimeCode
from lms.models.audit import AuditEntry
from lms.models.base import Base
from lms.models.campaign import Assignment, AssignmentPerson, Target
from lms.models.certificate import Certificate, CertificatePdf
from lms.models.org import OrgUnit
from lms.models.progress import LessonProgress, OfflineAction
from lms.models.publishing import ContentPackage, ContentRelease, CoursePublisher
from lms.models.quiz import QuizAttempt
from lms.models.reminder import Reminder
from lms.models.report import DailyCompletion, ReportSnapshot, UnitTally
from lms.models.support import (LearnerCard, SupportPoint, SupportPointHelper, SupportService,
                                SupportVisit)
from lms.models.user import User

__all__ = ["Assignment", "AuditEntry", "AssignmentPerson", "Base", "Certificate", "CertificatePdf",
           "Consent", "ContentPackage", "ContentRelease", "CoursePublisher", "DailyCompletion",
           "DeviceSession", "LearnerCard", "LessonProgress", "OfflineAction", "OneTimeCode",
           "OrgUnit", "QuizAttempt", "Reminder", "ReportSnapshot", "SupportPoint",
           "SupportPointHelper", "SupportService", "SupportVisit", "Target", "UnitTally", "User"]
