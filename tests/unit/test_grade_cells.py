"""Cells of the class's CSV: a whole vector or shape in one cell (symdl.classgrade.cells.entries)."""
def test_a_whole_vector_or_shape_in_one_cell():
    from fractions import Fraction

    from symdl.classgrade import cells

    assert cells.entries("2808 x 33 x 64") == (2808, 33, 64)
    assert cells.entries("2808x33x64") == (2808, 33, 64)
    assert cells.entries("[0.3; -0.1]") == (Fraction(3, 10), Fraction(-1, 10))
    assert cells.entries("[0 0 0 0 0]") == (0, 0, 0, 0, 0)
    assert cells.entries("1.5e-3, 2") == (Fraction(3, 2000), 2)
    assert cells.entries("") is None
    import pytest

    with pytest.raises(cells.NotANumber):
        cells.entries("2808 by 33")
