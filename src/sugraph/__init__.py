"""sugraph: the Security Union knowledge graph."""

__version__ = "0.1.0"
