"""tracker: an event-sourced tracker of a peace process, report by report."""
