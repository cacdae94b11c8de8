"""A live drill on the real clock: the roster and headcount, the milestones an evaluator stamps,
the drill session (stamps and check-ins are events in the exercise's own log), the corrected
reading of a drill log, and the evacuation model that predicts the drill's times.

No UI here: the drill console (`tui.drill`) and the session server read these objects."""
