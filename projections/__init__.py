"""Read models of the tracker's log, kept in SQL tables beside it."""
