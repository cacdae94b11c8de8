"""Widgets of the exercise screen: bars, the role view's panels, the facilitator's tables."""
