"""Reference e-commerce services guarded by specguard."""
