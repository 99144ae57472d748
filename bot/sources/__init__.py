"""Where articles come from: each source sits behind the small seam in `base.py`."""
