"""symdl's notation: the LaTeX printer and the display objects several kinds share."""
