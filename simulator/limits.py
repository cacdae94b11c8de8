"""The numbers that bound a plan and compare its times (docs/FORMAT.md, "Limits"), apart from the
model so that the engine reads them without importing pydantic."""

# Ranges that keep every run finite: a year of simulated minutes for any time, a recurrence no
# more often than once a minute and at most MAX_RECURRENCES times a run.
MAX_MINUTES = 525_600
MIN_EVERY = 1.0
MAX_RECURRENCES = 10_000
# Float slack when comparing two simulated times (a done time with a deadline, a downtime with an
# RTO): it absorbs rounding, nothing a person could see (done at 15.0 min is a hit, 15.1 late).
EPS = 1e-9
