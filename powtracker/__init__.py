"""powtracker: case tracking for prisoners of war under the Third Geneva Convention."""
