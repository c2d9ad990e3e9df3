"""Reading an exam: the spec (TOML), its fields' schema, its LaTeX, its data files, its draws and conditions.

Everything here runs before any derivation; a problem is a SpecError naming file, question and field."""
