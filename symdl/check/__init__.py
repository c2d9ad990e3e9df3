"""The second route: comparing each derived answer with an independent computation at high precision."""
