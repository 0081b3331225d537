"""Task tracker starter (seed 001): starts one tracking execution per ``{"taskId": ...}``."""
