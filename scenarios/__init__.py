"""The shipped procedures, scenarios and plan variants (YAML data, no code).

This file only makes the folder a package, so that the installed data is found with
`importlib.resources.files("drillsim.scenarios")`."""
