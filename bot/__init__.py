"""The composition root: settings, application factory, lifecycle, CLI."""

import os

# Telegram durations (RetryAfter.retry_after, ...) as datetime.timedelta: PTB's future default, opted into now
# so a flood-control answer does not raise PTB's deprecation warning (an error under pytest).
os.environ.setdefault("PTB_TIMEDELTA", "true")
