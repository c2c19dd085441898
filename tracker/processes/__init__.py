"""The programs of the tracker's helper processes, each started as ``python -m`` by
its parent side in ``tracker.fast``, never imported by the tracker itself. They open
the store through the application, and so sit above it, while what they run (the
producer's session, the readers' shares) sits below it in ``tracker.fast``."""
