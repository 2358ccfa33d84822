"""Text and positions: diagnostics as the core reports them, source cut into parsed statements, edits."""
