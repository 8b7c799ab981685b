"""Hypothesis settings for the property tests (tests/unit/test_properties_*.py).

The default profile ``ci`` is deterministic: the same examples on every run and machine, no example database
written into the work tree, no deadline (the first example of a test may import or build a schema). Each
test sets its own ``max_examples`` so that the whole property suite stays within a few seconds.
``HYPOTHESIS_PROFILE=explore`` draws new random examples on every run, to look for bugs locally; keep any
failure it finds as an explicit ``@example``.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=False)
settings.register_profile("explore", derandomize=False, database=None, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
