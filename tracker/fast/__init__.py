"""What makes long runs of work fast, each machine behind one door.

- The bulk session (``bulk.in_bulk_session``): a long run of commands appended in one
  transaction, with the views written on the same cursor. ``Tracker.in_session`` is
  its one caller outside this package.
- The import's producer process (``produced_import.import_produced``): a second
  process turns the records into events while this one appends them. Called by
  ``tracker.records`` alone; its program is ``tracker.processes.producer``.
- The rebuild's readers (``rebuild_readers.read_pages``): processes that decode and
  fold the log while this one writes the views. Called by ``Tracker.replay_into``
  alone; their program is ``tracker.processes.rebuild_reader``.
- What they share: the helper process and its pipe (``child_process``), and fewer
  garbage collections in the tracker's own processes (``collection``).

Nothing is imported here: a query on views that are up to date needs none of it.
The programs the helper processes run sit in ``tracker.processes``, above the
application they open: this package sits below it.
"""
