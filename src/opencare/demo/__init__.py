"""Demo data: an invented sample council and a subset of real UK notices."""
