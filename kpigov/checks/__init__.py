"""Pure check functions, one module per rule category: catalogue in, violations out."""
