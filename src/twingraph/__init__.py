"""twingraph: a Linked Open Data publisher for town twinning."""

__version__ = "0.1.0"
