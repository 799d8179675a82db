"""Drawings of circuits. ``text`` needs nothing beyond the standard library; drawers that
need optional packages (matplotlib) import them when called, never at ``import qvalley``."""
from .text import draw_text, format_param

__all__ = ["draw_text", "format_param"]
