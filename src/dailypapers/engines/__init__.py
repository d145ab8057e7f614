"""Engines: where the work on a run's papers happens (the fetch stage and `work.summarize_paper`). The driver
(`pipeline.run`) plans, takes leases and alone writes the archive; an engine's workers return what they made.

Built in: `local` (this process) and `ray` (a Ray cluster: `pip install 'dailypapers[ray]'`). Both register
through the `register_engines` hook, as a third-party engine would."""
