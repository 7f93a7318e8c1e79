from .clients import ClientViewSet
from .notes import NoteViewSet
from .projects import MilestoneViewSet, ProjectViewSet
from .time_entries import TimeEntryViewSet

__all__ = ["ClientViewSet", "MilestoneViewSet", "NoteViewSet", "ProjectViewSet", "TimeEntryViewSet"]
