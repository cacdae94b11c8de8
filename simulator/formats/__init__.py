"""The file formats: YAML with positions, the MSEL spreadsheets, the JSON Schemas."""
