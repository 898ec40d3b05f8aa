"""Public pages: the home page, contracting processes, and where the data comes from."""
