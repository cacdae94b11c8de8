"""The Textual terminal UI of `drillsim play`: people play roles, the simulation the rest.

Imports simulator and scoring; they never import it."""
