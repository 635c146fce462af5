"""The model's mechanisms, one module per submodel of ODD §7, each a `step(model)`
(or a pure function) that acts on all organisations or residents of a type at once."""
