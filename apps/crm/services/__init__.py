"""Writes of the CRM. Each runs in one transaction and records its activity event in it."""

from .clients import archive_client, create_client, delete_client, unarchive_client, update_client
from .notes import create_note, delete_note, update_note
from .projects import (
    create_milestone,
    create_project,
    delete_milestone,
    delete_project,
    update_milestone,
    update_project,
)
from .time_tracking import (
    create_time_entry,
    delete_time_entry,
    start_timer,
    stop_stale_timers,
    stop_timer,
    update_time_entry,
)

__all__ = [
    "archive_client",
    "create_client",
    "create_milestone",
    "create_note",
    "create_project",
    "create_time_entry",
    "delete_client",
    "delete_milestone",
    "delete_note",
    "delete_project",
    "delete_time_entry",
    "start_timer",
    "stop_stale_timers",
    "stop_timer",
    "unarchive_client",
    "update_client",
    "update_milestone",
    "update_note",
    "update_project",
    "update_time_entry",
]
