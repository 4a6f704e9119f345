"""A school leaving the tool: its data taken along in one archive, then every row of it removed."""
