"""Screens: lobby, exercise (role views + facilitator), action forms, help, score."""
