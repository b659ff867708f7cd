"""Database models, one module per aggregate; importing this registers them all."""
from lms.models.base import Base
from lms.models.org import OrgUnit
from lms.models.progress import LessonProgress
from lms.models.quiz import QuizAttempt
from lms.models.user import User

__all__ = ["Base", "LessonProgress", "OrgUnit", "QuizAttempt", "User"]
