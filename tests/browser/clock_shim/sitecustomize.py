"""A test clock for a live server: on PYTHONPATH with BOUNCE_BACK_TEST_NOW set (an ISO
moment), the whole server process starts at that moment and ticks on from it.

Only browser tests put this directory on a server's PYTHONPATH; the app has no clock
setting of its own, so nothing in production can move its time.
"""

import os

_moment = os.environ.get("BOUNCE_BACK_TEST_NOW")
if _moment:
    import time_machine

    time_machine.travel(_moment, tick=True).start()
