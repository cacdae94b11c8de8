"""Play together: the session server, its protocol and its clients (`drillsim serve`/`join`)."""
