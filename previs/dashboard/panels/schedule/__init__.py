"""The Schedule tab: visibility, the 42/60-day rule, worst case and configuration search."""

from previs.dashboard.panels.schedule.panel import SchedulePanel

__all__ = ["SchedulePanel"]
