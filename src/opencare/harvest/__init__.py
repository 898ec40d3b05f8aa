"""Harvesting UK publishers' OCDS APIs into the registry (`opencare harvest`, and on a schedule by the task worker)."""
