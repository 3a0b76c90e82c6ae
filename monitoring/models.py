"""Summaries and indicators (built in the monitoring issue)."""
