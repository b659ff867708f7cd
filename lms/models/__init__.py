"""Database models, one module per aggregate; importing this registers them all."""
from lms.models.base import Base
from lms.models.org import OrgUnit
from lms.models.user import User

__all__ = ["Base", "OrgUnit", "User"]
