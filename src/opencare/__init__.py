"""opencare: open tendering and open performance for publicly funded social care."""

__version__ = "0.1.0"
