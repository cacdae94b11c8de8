"""The shipped procedures, scenarios and plan variants (YAML data, no code).

This file only makes the folder a package, so that the installed data is found as this
package's folder (simulator/loader.py)."""
