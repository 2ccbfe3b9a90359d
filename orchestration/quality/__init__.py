"""Data quality: the Great Expectations suites in ``expectations/``, validated on data
read read-only from the warehouse, with their results kept as GX Data Docs."""

import logging

# GX narrates its own registrations at INFO while it is imported; a run's log is for
# what the suites find.
logging.getLogger("great_expectations").setLevel(logging.WARNING)
